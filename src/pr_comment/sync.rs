//! Keeps exactly one dockgrade comment on a pull request up to date. The comment is the one
//! that carries the marker and was written by the token's own login. It is edited in place,
//! created when there is none, and left alone when its body is already the same.

use super::api::{ApiError, IssueComment, PullRequestComments};
use tracing::{info, warn};

/// The hidden line that marks dockgrade's comment. GitHub renders no HTML comment, so readers
/// never see it.
pub const MARKER: &str = "<!-- dockgrade:pr-comment -->";

/// The change a sync made to the comment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Created,
    Updated,
    /// The comment already had this body, so nothing was written.
    Unchanged,
}

/// The result of a sync.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncReport {
    pub action: Action,
    /// The id of dockgrade's comment.
    pub comment_id: u64,
    /// Older comments by the same login that carry the marker too, left as they are (they come
    /// from runs that raced each other).
    pub duplicates: Vec<u64>,
    /// Whether a write timed out or failed on the server, so the comments were read again.
    pub retried: bool,
}

/// The write a listing calls for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Plan {
    Create,
    Edit(u64),
    Keep(u64),
}

/// Decides what to write, given every comment of the pull request. Of several comments by
/// `login` with the marker, the newest (the highest id, since GitHub lists comments by
/// ascending id) is the one kept up to date. Returns the plan and the ids of the others.
fn plan(comments: &[IssueComment], login: &str, body: &str) -> (Plan, Vec<u64>) {
    let mut own: Vec<&IssueComment> = comments
        .iter()
        .filter(|comment| comment.author.eq_ignore_ascii_case(login))
        .filter(|comment| comment.body.contains(MARKER))
        .collect();
    own.sort_by_key(|comment| comment.id);
    let Some(newest) = own.pop() else {
        return (Plan::Create, Vec::new());
    };
    let duplicates = own.iter().map(|comment| comment.id).collect();
    if same_text(&newest.body, body) {
        (Plan::Keep(newest.id), duplicates)
    } else {
        (Plan::Edit(newest.id), duplicates)
    }
}

/// Compares two bodies, ignoring trailing white space and CRLF against LF line ends, so
/// that a body GitHub stored with either change does not count as edited.
fn same_text(stored: &str, body: &str) -> bool {
    let normalize = |text: &str| text.trim_end().replace("\r\n", "\n");
    normalize(stored) == normalize(body)
}

/// Brings the pull request's dockgrade comment to `body`, written as `login`.
///
/// A write that times out or gets a 5xx may have landed. Then the comments are listed again:
/// when one of them has the body already, the write landed and nothing more is sent. Otherwise
/// the write of the fresh plan is sent once more, and a second failure is returned.
pub async fn sync(
    comments: &PullRequestComments<'_>,
    login: &str,
    body: &str,
) -> Result<SyncReport, ApiError> {
    let mut first_plan = None;
    loop {
        let listed = comments.list().await?;
        let (plan, duplicates) = plan(&listed, login, body);
        if !duplicates.is_empty() && first_plan.is_none() {
            warn!(
                login,
                ?duplicates,
                "several dockgrade comments by this login; editing the newest and leaving the others"
            );
        }
        let retried = first_plan.is_some();
        let intended = *first_plan.get_or_insert(plan);

        let written = match plan {
            Plan::Keep(id) => {
                let action = match intended {
                    Plan::Create => Action::Created,
                    Plan::Edit(_) => Action::Updated,
                    Plan::Keep(_) => Action::Unchanged,
                };
                if retried {
                    info!(comment = id, "the earlier write had landed");
                }
                return Ok(SyncReport {
                    action,
                    comment_id: id,
                    duplicates,
                    retried,
                });
            }
            Plan::Create => comments.create(body).await.map(|id| (Action::Created, id)),
            Plan::Edit(id) => comments
                .edit(id, body)
                .await
                .map(|id| (Action::Updated, id)),
        };
        match written {
            Ok((action, comment_id)) => {
                return Ok(SyncReport {
                    action,
                    comment_id,
                    duplicates,
                    retried,
                })
            }
            Err(error) if error.may_have_landed() && !retried => {
                warn!(%error, "the write may have landed; listing the comments again before one more try");
            }
            Err(error) => return Err(error),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn comment(id: u64, author: &str, body: &str) -> IssueComment {
        IssueComment {
            id,
            author: author.to_string(),
            body: body.to_string(),
        }
    }

    #[test]
    fn plan_creates_without_own_comment() {
        let listed = [
            comment(1, "octocat", &format!("{MARKER}\nquoted by a person")),
            comment(2, "dockbot", "no marker here"),
        ];
        assert_eq!(plan(&listed, "dockbot", "new"), (Plan::Create, vec![]));
    }

    #[test]
    fn plan_edits_newest_own_comment() {
        let listed = [
            comment(9, "DockBot", &format!("{MARKER}\nnewest")),
            comment(3, "dockbot", &format!("{MARKER}\nolder")),
        ];
        let body = format!("{MARKER}\nchanged");
        assert_eq!(plan(&listed, "dockbot", &body), (Plan::Edit(9), vec![3]));
    }

    #[test]
    fn plan_keeps_body_with_crlf() {
        let listed = [comment(5, "dockbot", &format!("{MARKER}\r\nsame\r\n"))];
        let body = format!("{MARKER}\nsame\n");
        assert_eq!(plan(&listed, "dockbot", &body), (Plan::Keep(5), vec![]));
    }

    #[test]
    fn plan_keeps_same_body() {
        let body = format!("{MARKER}\nsame\n");
        let listed = [comment(5, "dockbot", body.trim_end())];
        assert_eq!(plan(&listed, "dockbot", &body), (Plan::Keep(5), vec![]));
    }
}
