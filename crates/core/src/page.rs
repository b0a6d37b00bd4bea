//! Pages of the operators' lists (games, accounts, players, audit events): the size a caller
//! asks for, and the cursor of the page after.

use crate::{Error, Result};

/// `limit` as a page size: 0 means `default`; more than `max` is refused.
pub fn limit(limit: u32, default: u32, max: u32) -> Result<u32> {
    match limit {
        0 => Ok(default),
        n if n <= max => Ok(n),
        _ => Err(Error::invalid("limit", format_args!("must be 1 to {max}"))),
    }
}

/// The cursor of the page after `items`, read with `limit` rows: the last item's when the
/// page is full (there may be more), none after a short page.
pub fn next_cursor<T, C>(items: &[T], limit: u32, cursor: impl FnOnce(&T) -> C) -> Option<C> {
    if items.len() == limit as usize {
        items.last().map(cursor)
    } else {
        None
    }
}

/// For `items` read with one row more than `limit` (to know whether there is a page
/// after): drops that row, and returns the cursor of the next page, the last kept item's,
/// if there was one.
pub fn take_page<T, C>(items: &mut Vec<T>, limit: u32, cursor: impl FnOnce(&T) -> C) -> Option<C> {
    let more = items.len() > limit as usize;
    items.truncate(limit as usize);
    if more { items.last().map(cursor) } else { None }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_and_cursors() {
        assert_eq!(limit(0, 50, 500).ok(), Some(50));
        assert_eq!(limit(500, 50, 500).ok(), Some(500));
        assert!(limit(501, 50, 500).is_err());
        assert_eq!(next_cursor(&[1, 2], 2, |i| *i), Some(2));
        assert_eq!(next_cursor(&[1], 2, |i| *i), None);
        let mut items = vec![1, 2, 3];
        assert_eq!(take_page(&mut items, 2, |i| *i), Some(2));
        assert_eq!(items, [1, 2]);
        assert_eq!(take_page(&mut items, 2, |i| *i), None);
    }
}
