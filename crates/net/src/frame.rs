//! Length-prefixed frames for both protocols: a 4-byte big-endian length, then the bytes. The
//! length is checked against the protocol's limit before any byte of the body is read, so a peer
//! cannot make us allocate more than the limit.

use futures::{AsyncReadExt, AsyncWriteExt};
use libp2p::StreamProtocol;
use libp2p::request_response;

/// Length-prefixed frames, bounded per direction.
#[derive(Clone, Debug)]
pub(crate) struct FrameCodec {
    pub(crate) max_request: usize,
    pub(crate) max_response: usize,
}

pub(crate) async fn read_frame<T: futures::AsyncRead + Unpin + Send>(
    io: &mut T,
    max: usize,
) -> std::io::Result<Vec<u8>> {
    let mut len = [0u8; 4];
    io.read_exact(&mut len).await?;
    let len = u32::from_be_bytes(len) as usize;
    if len > max {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("frame of {len} bytes exceeds {max}"),
        ));
    }
    let mut buf = vec![0u8; len];
    io.read_exact(&mut buf).await?;
    Ok(buf)
}

async fn write_frame<T: futures::AsyncWrite + Unpin + Send>(
    io: &mut T,
    bytes: &[u8],
    max: usize,
) -> std::io::Result<()> {
    if bytes.len() > max {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "frame too large",
        ));
    }
    io.write_all(&(bytes.len() as u32).to_be_bytes()).await?;
    io.write_all(bytes).await?;
    io.close().await
}

impl request_response::Codec for FrameCodec {
    type Protocol = StreamProtocol;
    type Request = Vec<u8>;
    type Response = Vec<u8>;

    async fn read_request<T: futures::AsyncRead + Unpin + Send>(
        &mut self,
        _: &StreamProtocol,
        io: &mut T,
    ) -> std::io::Result<Vec<u8>> {
        read_frame(io, self.max_request).await
    }
    async fn read_response<T: futures::AsyncRead + Unpin + Send>(
        &mut self,
        _: &StreamProtocol,
        io: &mut T,
    ) -> std::io::Result<Vec<u8>> {
        read_frame(io, self.max_response).await
    }
    async fn write_request<T: futures::AsyncWrite + Unpin + Send>(
        &mut self,
        _: &StreamProtocol,
        io: &mut T,
        req: Vec<u8>,
    ) -> std::io::Result<()> {
        write_frame(io, &req, self.max_request).await
    }
    async fn write_response<T: futures::AsyncWrite + Unpin + Send>(
        &mut self,
        _: &StreamProtocol,
        io: &mut T,
        res: Vec<u8>,
    ) -> std::io::Result<()> {
        write_frame(io, &res, self.max_response).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MAX: usize = 16 * 1024 * 1024;

    #[tokio::test]
    async fn frame_lengths_are_checked_before_reading() {
        let mut huge = futures::io::Cursor::new(u32::MAX.to_be_bytes().to_vec());
        let err = read_frame(&mut huge, MAX).await.unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::InvalidData);
        let mut short = futures::io::Cursor::new([0, 0, 0, 9, 1, 2].to_vec());
        assert!(read_frame(&mut short, MAX).await.is_err());
        let mut ok = futures::io::Cursor::new([0, 0, 0, 2, 7, 8].to_vec());
        assert_eq!(read_frame(&mut ok, MAX).await.unwrap(), [7, 8]);
    }
}
