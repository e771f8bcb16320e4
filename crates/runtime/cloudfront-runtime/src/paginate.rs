//! Paginators: a stream of pages (each a whole response) and a stream of the items in them.
//! Generated code supplies how to fetch a page for a token and where the next token is; the
//! stream stops when there is no next token, when the service says the list is not
//! truncated, when a token repeats (a service bug that would otherwise loop forever), or
//! after an error, which it yields first.

use std::collections::VecDeque;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_core::Stream;

use crate::error::SdkError;
use crate::time::BoxFuture;

type Fetch<O, E> = Box<dyn FnMut(Option<String>) -> BoxFuture<'static, Result<O, SdkError<E>>> + Send>;

/// The token of the page after one that carried `token` and, if the output has one, a flag
/// saying whether more pages follow: `None` (the last page) when the flag says no, or the
/// token is absent or empty. The one rule for every consumer; what to do with a token that
/// repeats stays each consumer's (these paginators stop, the CLI fails as botocore does).
pub fn next_page(token: Option<&str>, more_pages: Option<bool>) -> Option<String> {
    if more_pages == Some(false) {
        return None;
    }
    token.filter(|t| !t.is_empty()).map(str::to_owned)
}

/// The pages of a paginated operation.
pub struct Pages<O, E> {
    fetch: Fetch<O, E>,
    next_token: fn(&O) -> Option<String>,
    in_flight: Option<BoxFuture<'static, Result<O, SdkError<E>>>>,
    token: Option<String>,
    done: bool,
}

impl<O, E> Pages<O, E> {
    /// `fetch` gets the page starting at `token` (`start` for the first, usually `None`);
    /// `next_token` says where the following page starts (`None` when this is the last page).
    pub fn new(fetch: Fetch<O, E>, next_token: fn(&O) -> Option<String>, start: Option<String>) -> Self {
        Pages { fetch, next_token, in_flight: None, token: start, done: false }
    }

    /// The next page, or `None` when there are no more.
    pub async fn next(&mut self) -> Option<Result<O, SdkError<E>>> {
        std::future::poll_fn(|cx| self.poll_page(cx)).await
    }

    /// Every item of every page, through `items`.
    pub fn items<I>(self, items: fn(O) -> Vec<I>) -> Items<O, I, E> {
        Items { pages: self, items, buffer: VecDeque::new() }
    }

    fn poll_page(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<O, SdkError<E>>>> {
        if self.done {
            return Poll::Ready(None);
        }
        let token = self.token.clone();
        let future = self.in_flight.get_or_insert_with(|| (self.fetch)(token));
        let result = match future.as_mut().poll(cx) {
            Poll::Pending => return Poll::Pending,
            Poll::Ready(result) => result,
        };
        self.in_flight = None;
        match &result {
            Ok(page) => match (self.next_token)(page) {
                Some(next) if !next.is_empty() && Some(&next) != self.token.as_ref() => self.token = Some(next),
                _ => self.done = true,
            },
            Err(_) => self.done = true,
        }
        Poll::Ready(Some(result))
    }
}

impl<O, E> Stream for Pages<O, E> {
    type Item = Result<O, SdkError<E>>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        // `Pages` holds only boxed (pinned) futures, so it is `Unpin`.
        self.get_mut().poll_page(cx)
    }
}

/// The items of every page, in order.
pub struct Items<O, I, E> {
    pages: Pages<O, E>,
    items: fn(O) -> Vec<I>,
    buffer: VecDeque<I>,
}

impl<O, I, E> Items<O, I, E> {
    /// The next item, or `None` when there are no more.
    pub async fn next(&mut self) -> Option<Result<I, SdkError<E>>> {
        std::future::poll_fn(|cx| self.poll_item(cx)).await
    }

    /// Reads every item (stopping at the first error).
    pub async fn collect(mut self) -> Result<Vec<I>, SdkError<E>> {
        let mut all = Vec::new();
        while let Some(item) = self.next().await {
            all.push(item?);
        }
        Ok(all)
    }

    fn poll_item(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<I, SdkError<E>>>> {
        loop {
            if let Some(item) = self.buffer.pop_front() {
                return Poll::Ready(Some(Ok(item)));
            }
            match self.pages.poll_page(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(None) => return Poll::Ready(None),
                Poll::Ready(Some(Err(e))) => return Poll::Ready(Some(Err(e))),
                Poll::Ready(Some(Ok(page))) => self.buffer.extend((self.items)(page)),
            }
        }
    }
}

impl<O, I: Unpin, E> Stream for Items<O, I, E> {
    type Item = Result<I, SdkError<E>>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.get_mut().poll_item(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    type Page = (Vec<u32>, Option<String>);

    fn pages(script: Vec<Page>) -> Pages<Page, std::convert::Infallible> {
        let mut script = script.into_iter();
        Pages::new(
            Box::new(move |_token| {
                let page = script.next().expect("not asked for more pages than scripted");
                Box::pin(std::future::ready(Ok(page)))
            }),
            |page| page.1.clone(),
            None,
        )
    }

    #[tokio::test]
    async fn walks_pages_and_items_until_the_token_runs_out() {
        let script = vec![(vec![1, 2], Some("a".into())), (vec![3], Some("b".into())), (vec![4], None)];
        let all = pages(script).items(|p| p.0).collect().await.unwrap();
        assert_eq!(all, vec![1, 2, 3, 4]);
    }

    #[tokio::test]
    async fn stops_on_a_repeated_or_empty_token() {
        let script = vec![(vec![1], Some("same".into())), (vec![2], Some("same".into()))];
        assert_eq!(pages(script).items(|p| p.0).collect().await.unwrap(), vec![1, 2]);
        let script = vec![(vec![1], Some(String::new()))];
        assert_eq!(pages(script).items(|p| p.0).collect().await.unwrap(), vec![1]);
    }
}
