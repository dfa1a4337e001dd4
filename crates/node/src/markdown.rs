//! Markdown written by members, rendered to HTML that is safe to show: CommonMark (with tables,
//! strikethrough and footnotes) by pulldown-cmark, then every tag, attribute and URL scheme
//! outside a short allow-list removed by ammonia. `[[Title]]` links stay as text.

use pulldown_cmark::{Options, Parser, html};

/// Renders `markdown` to sanitised HTML: no script, no event handler, no style, no remote or
/// `javascript:` URL survives; links open nothing by themselves (`rel="noopener noreferrer"`).
pub fn to_safe_html(markdown: &str) -> String {
    let options =
        Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_FOOTNOTES;
    let mut raw = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut raw, Parser::new_ext(markdown, options));
    ammonia::Builder::default()
        .url_schemes(["http", "https", "mailto"].into())
        .rm_tags(["img"])
        .link_rel(Some("noopener noreferrer"))
        .clean(&raw)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_is_rendered() {
        let html = to_safe_html(
            "# Titre\n\n*été* and **bold**, `code`\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n~~old~~",
        );
        for want in [
            "<h1>Titre</h1>",
            "<em>été</em>",
            "<strong>bold</strong>",
            "<code>code</code>",
            "<td>2</td>",
            "<del>old</del>",
        ] {
            assert!(html.contains(want), "{want} in {html}");
        }
        assert!(to_safe_html("See [[Git tips]].").contains("[[Git tips]]"));
    }

    #[test]
    fn nothing_active_survives() {
        // Blank lines between the parts, so that each is parsed on its own (an HTML block
        // otherwise swallows the Markdown lines after it as raw text).
        let hostile = [
            "<script>alert(1)</script>",
            "<img src=x onerror=alert(2)>",
            r#"<a href="javascript:alert(3)">click</a>"#,
            "[md link](javascript:void)",
            r#"<iframe src="https://evil.example"></iframe>"#,
            r#"<div style="background:url(https://evil.example)" onclick="alert(5)">x</div>"#,
            r#"<form action="https://evil.example"><input></form>"#,
            "![tracker](https://evil.example/pixel.png)",
            "[ok](https://example.org/page)",
        ]
        .join("\n\n");
        let html = to_safe_html(&hostile);
        for banned in [
            "<script",
            "onerror",
            "href=\"javascript",
            "<iframe",
            "style=",
            "onclick",
            "<form",
            "<input",
            "<img",
            "evil.example",
        ] {
            assert!(!html.contains(banned), "{banned} survived in {html}");
        }
        assert!(
            html.contains(r#"<a href="https://example.org/page" rel="noopener noreferrer">ok</a>"#),
            "{html}"
        );
        assert!(html.contains("md link") && html.contains("click"), "{html}");
    }
}
