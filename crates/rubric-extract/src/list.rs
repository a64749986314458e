//! List-item markers, shared by the Markdown and HTML walkers: both keep a
//! stack of open lists (`Some(next number)` for an ordered one, `None` for a
//! bullet list) and write each item's text after the marker this gives.

/// The marker of the next item of the innermost open list (`"3. "` or
/// `"- "`), counting the ordered list on. Outside any list: a bullet.
pub(crate) fn next_item_marker(open_lists: &mut [Option<u64>]) -> String {
    match open_lists.last_mut() {
        Some(Some(n)) => {
            let marker = format!("{n}. ");
            *n += 1;
            marker
        }
        _ => "- ".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::next_item_marker;

    #[test]
    fn ordered_lists_count_on_from_their_start_and_bullets_stay_bullets() {
        let mut lists = vec![Some(3)];
        assert_eq!(next_item_marker(&mut lists), "3. ");
        assert_eq!(next_item_marker(&mut lists), "4. ");
        lists.push(None);
        assert_eq!(next_item_marker(&mut lists), "- ");
        lists.pop();
        assert_eq!(next_item_marker(&mut lists), "5. ");
        assert_eq!(next_item_marker(&mut []), "- ");
    }
}
