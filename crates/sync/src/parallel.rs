//! Work spread over the machine's cores: the check of documents arriving together
//! ([`crate::precheck`]), and what the host makes of them before it writes them.

/// The most worker threads.
const MAX_WORKERS: usize = 8;

/// The worker threads to use: one per core, at most [`MAX_WORKERS`].
fn workers() -> usize {
    std::thread::available_parallelism()
        .map_or(1, usize::from)
        .min(MAX_WORKERS)
}

/// `work` applied to every item on up to one thread per core, results in the items' order.
/// `work` contains its own panics; a worker that fails anyway leaves `None` for its items.
pub fn in_parallel<T: Send, R: Send>(
    items: Vec<T>,
    work: impl Fn(T) -> Option<R> + Sync,
) -> Vec<Option<R>> {
    let workers = workers();
    if workers <= 1 || items.len() < 2 {
        return items.into_iter().map(work).collect();
    }
    let per = items.len().div_ceil(workers).max(1);
    let mut chunks: Vec<Vec<T>> = Vec::with_capacity(workers);
    let mut rest = items.into_iter();
    loop {
        let chunk: Vec<T> = rest.by_ref().take(per).collect();
        if chunk.is_empty() {
            break;
        }
        chunks.push(chunk);
    }
    let work = &work;
    std::thread::scope(|scope| {
        let running: Vec<(usize, Option<_>)> = chunks
            .into_iter()
            .map(|chunk| {
                let len = chunk.len();
                let spawned = std::thread::Builder::new()
                    .name("entrepairs-worker".into())
                    .spawn_scoped(scope, move || {
                        chunk.into_iter().map(work).collect::<Vec<Option<R>>>()
                    })
                    .ok();
                (len, spawned)
            })
            .collect();
        running
            .into_iter()
            .flat_map(|(len, handle)| match handle.map(|h| h.join()) {
                Some(Ok(results)) => results,
                _ => (0..len).map(|_| None).collect(),
            })
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::in_parallel;

    #[test]
    fn results_come_back_in_the_items_order_and_a_failed_item_is_none() {
        let items: Vec<u32> = (0..1000).collect();
        let out = in_parallel(items, |n| (!n.is_multiple_of(7)).then_some(n * 2));
        assert_eq!(out.len(), 1000);
        for (n, got) in out.into_iter().enumerate() {
            let n = n as u32;
            assert_eq!(got, (!n.is_multiple_of(7)).then_some(n * 2));
        }
        assert!(in_parallel(Vec::<u32>::new(), Some).is_empty());
    }
}
