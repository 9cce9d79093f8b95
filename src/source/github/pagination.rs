//! Pagination of GitHub's REST listings: each page names the next one in its `link` header, as
//! an absolute URL with `rel="next"`.

use super::transport::Reply;

/// Returns the path under the API base of the page after `reply`, or `None` on the last page.
pub fn next_page_path(reply: &Reply, api_url: &str) -> Option<String> {
    next_link(reply).and_then(|link| relative_path(&link, api_url))
}

/// Returns a response header as text, when it is there and visible ASCII.
pub fn header(reply: &Reply, name: &str) -> Option<String> {
    Some(reply.headers.get(name)?.to_str().ok()?.to_string())
}

/// Returns the `rel="next"` URL of a `link` header.
pub fn next_link(reply: &Reply) -> Option<String> {
    let link = header(reply, "link")?;
    link.split(',').find_map(|part| {
        let (url, params) = part.split_once(';')?;
        let is_next = params
            .split(';')
            .any(|param| param.trim().replace(' ', "") == "rel=\"next\"");
        is_next.then(|| {
            url.trim()
                .trim_start_matches('<')
                .trim_end_matches('>')
                .to_string()
        })
    })
}

/// Turns an absolute `next` URL into a path under the API base, so that octocrab attaches the
/// token (it sends credentials with absolute URLs only to api.github.com). A link to another
/// host is not followed.
pub fn relative_path(link: &str, api_url: &str) -> Option<String> {
    let link_uri: http::Uri = link.parse().ok()?;
    let base_uri: http::Uri = api_url.parse().ok()?;
    if link_uri.authority().is_some() && link_uri.authority() != base_uri.authority() {
        return None;
    }
    let path_and_query = link_uri.path_and_query()?.as_str();
    let base_path = base_uri.path().trim_end_matches('/');
    Some(
        path_and_query
            .strip_prefix(base_path)
            .filter(|rest| rest.starts_with('/'))
            .unwrap_or(path_and_query)
            .to_string(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_path_strips_base() {
        assert_eq!(
            relative_path(
                "https://ghe.example/api/v3/organizations/1/repos?page=2",
                "https://ghe.example/api/v3"
            )
            .as_deref(),
            Some("/organizations/1/repos?page=2")
        );
        assert_eq!(
            relative_path(
                "https://api.github.com/orgs/a/repos?page=3",
                "https://api.github.com"
            )
            .as_deref(),
            Some("/orgs/a/repos?page=3")
        );
        assert_eq!(
            relative_path("https://evil.example/x", "https://api.github.com"),
            None
        );
    }
}
