//! The Azure Machine Learning VM sizes mlgen knows, for a warning on a `vm_size` that is not
//! one of them or is spelt in another case than Azure's.
//!
//! The table is `vm_sizes.txt`, a plain sorted list compiled in with `include_str!`; its header
//! names the Microsoft pages it was taken from and when. It only ever feeds warnings: Azure adds
//! sizes faster than mlgen is released, and a size this table lacks must still render. This
//! module knows nothing of specs or diagnostics; `validate` words what it finds.

/// The table, comments included.
const TABLE: &str = include_str!("vm_sizes.txt");

/// Every size in the table, as Azure spells it, in the table's order.
pub(crate) fn sizes() -> impl Iterator<Item = &'static str> {
    TABLE
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
}

/// What the table says of a size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Lookup {
    /// In the table, spelt as Azure spells it.
    Known,
    /// In the table in another case: Azure's spelling.
    OtherCase(&'static str),
    /// Not in the table.
    Unknown,
}

/// Looks `size` up, ignoring case (as Azure does) but telling a different case apart.
pub(crate) fn lookup(size: &str) -> Lookup {
    match sizes().find(|known| known.eq_ignore_ascii_case(size)) {
        Some(known) if known == size => Lookup::Known,
        Some(known) => Lookup::OtherCase(known),
        None => Lookup::Unknown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_is_sorted_without_repeats_and_fits_the_schema() {
        let sizes: Vec<&str> = sizes().collect();
        assert!(sizes.len() > 100, "{} sizes", sizes.len());
        for pair in sizes.windows(2) {
            assert!(
                pair[0].to_lowercase() < pair[1].to_lowercase(),
                "{} must come after {}",
                pair[0],
                pair[1]
            );
        }
        for size in &sizes {
            assert!(
                crate::rules::VM_SIZE.check_text(size).is_ok(),
                "{size} does not fit the vm_size rule"
            );
        }
        assert!(TABLE.starts_with("# "), "the header cites the source");
    }

    #[test]
    fn lookup_ignores_case_but_reports_it() {
        assert_eq!(lookup("Standard_DS3_v2"), Lookup::Known);
        assert_eq!(lookup("Standard_NC4as_T4_v3"), Lookup::Known);
        assert_eq!(
            lookup("Standard_ds3_V2"),
            Lookup::OtherCase("Standard_DS3_v2")
        );
        assert_eq!(lookup("Standard_DS3_v9"), Lookup::Unknown);
        assert_eq!(lookup("# Azure"), Lookup::Unknown);
    }
}
