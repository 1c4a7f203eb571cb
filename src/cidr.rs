//! IPv4 address ranges in CIDR notation as a spec writes them: parsing that accepts only the
//! canonical spelling and says why it refuses anything else, containment, overlap, and carving
//! the default subnets out of a virtual network's address space.
//!
//! The address arithmetic is `ipnet`'s ([`Ipv4Net`]); this module adds mlgen's rules on top.
//! `ipnet`'s own parser is not used on spec text: it reads `010` as ten, where `inet_aton` and
//! the tools built on it read eight, and mlgen refuses such text so that one spec cannot mean
//! two networks.

use std::net::Ipv4Addr;

use ipnet::Ipv4Net;

/// A parsed IPv4 range: network address (host bits zero) and prefix length. Only this module
/// builds one, so the prefix is never over 32.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Cidr {
    address: Ipv4Addr,
    /// Prefix length, 0-32.
    pub prefix: u8,
}

impl Cidr {
    /// Parses `a.b.c.d/n` in canonical form; `Err` says what is wrong. Host bits must be zero,
    /// and every number must be plain decimal: no leading zeros (`010` is octal to some tools
    /// and decimal to others, so the same spec would mean two networks), signs or spaces.
    pub(crate) fn parse(text: &str) -> Result<Self, String> {
        let written = parse_lenient(text)?;
        let network = written.trunc();
        // The canonical spelling is the one `Ipv4Net` prints, host bits and all.
        if written.to_string() != text {
            return Err(format!(
                "`{text}` is not written canonically: write plain decimal numbers without \
                 leading zeros, signs or spaces (some tools read a leading zero as octal); did \
                 you mean `{network}`?"
            ));
        }
        if network != written {
            return Err(format!(
                "`{text}` has host bits set; did you mean `{network}`?"
            ));
        }
        Ok(Self::from_net(network))
    }

    /// The canonical range `text` most likely means, when that is not what it says: for the
    /// "did you mean" of diagnostics that reject the text before [`Cidr::parse`] sees it.
    pub(crate) fn suggestion(text: &str) -> Option<Self> {
        parse_lenient(text)
            .ok()
            .map(|written| written.trunc())
            .filter(|network| network.to_string() != text)
            .map(Self::from_net)
    }

    fn from_net(net: Ipv4Net) -> Self {
        Self {
            address: net.network(),
            prefix: net.prefix_len(),
        }
    }

    fn net(self) -> Ipv4Net {
        Ipv4Net::new_assert(self.address, self.prefix)
    }

    /// True when `other` lies entirely inside this range.
    pub(crate) fn contains(self, other: Self) -> bool {
        self.net().contains(&other.net())
    }

    /// True when the two ranges share an address. CIDR ranges never straddle each other, so
    /// they share one exactly when one holds the other.
    pub(crate) fn overlaps(self, other: Self) -> bool {
        self.contains(other) || other.contains(self)
    }

    /// The default (training, private-endpoint) subnets: the first two /24s, or the two halves
    /// of a range smaller than /23; `None` for a single address.
    pub(crate) fn default_subnets(self) -> Option<(Self, Self)> {
        let prefix = (self.prefix + 1).max(24);
        let mut subnets = self.net().subnets(prefix).ok()?.map(Self::from_net);
        Some((subnets.next()?, subnets.next()?))
    }
}

/// The range a person most likely meant by `text`, host bits kept: each number read as plain
/// decimal (see [`plain_digits`]). Only [`Cidr::parse`]'s canonical check and suggestions
/// forgive the spelling; the `Err` says what no reading can fix.
fn parse_lenient(text: &str) -> Result<Ipv4Net, String> {
    let (addr, prefix) = text.split_once('/').ok_or("expected ADDRESS/PREFIX")?;
    let octets = addr
        .split('.')
        .map(|o| plain_digits(o).ok_or_else(|| format!("`{o}` is not a number")))
        .collect::<Result<Vec<_>, _>>()?;
    // std's parser: exactly four numbers of at most 255.
    let address: Ipv4Addr = octets
        .join(".")
        .parse()
        .map_err(|_| format!("`{addr}` is not an IPv4 address"))?;
    let prefix: u32 = plain_digits(prefix)
        .and_then(|p| p.parse().ok())
        .ok_or_else(|| format!("`{prefix}` is not a prefix length"))?;
    u8::try_from(prefix)
        .ok()
        .and_then(|p| Ipv4Net::new(address, p).ok())
        .ok_or_else(|| format!("prefix /{prefix} is longer than 32 bits"))
}

/// The decimal digits of a number written with surrounding spaces, a `+` sign or leading
/// zeros (`" +010"` → `"10"`, `"00"` → `"0"`); `None` when it is not a number at all.
fn plain_digits(text: &str) -> Option<&str> {
    let digits = text.trim();
    let digits = digits.strip_prefix('+').unwrap_or(digits);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    match digits.trim_start_matches('0') {
        "" => Some("0"),
        significant => Some(significant),
    }
}

impl std::fmt::Display for Cidr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.net().fmt(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(text: &str) -> Cidr {
        Cidr::parse(text).unwrap()
    }

    #[test]
    fn parses_and_explains() {
        assert_eq!(c("10.0.0.0/16").to_string(), "10.0.0.0/16");
        assert!(
            Cidr::parse("10.0.1.0/16")
                .unwrap_err()
                .contains("did you mean `10.0.0.0/16`")
        );
        for (text, problem) in [
            ("300.0.0.0/16", "`300.0.0.0` is not an IPv4 address"),
            ("10.0.0/16", "`10.0.0` is not an IPv4 address"),
            ("10.0.0.0/33", "prefix /33 is longer than 32 bits"),
            ("10.0.0.0", "expected ADDRESS/PREFIX"),
            ("10.0.0.x/16", "`x` is not a number"),
            ("10.0.0.0/-1", "`-1` is not a prefix length"),
        ] {
            assert_eq!(Cidr::parse(text), Err(problem.to_owned()));
        }
        assert_eq!(c("0.0.0.0/0").to_string(), "0.0.0.0/0");
        assert_eq!(c("192.168.100.0/24").to_string(), "192.168.100.0/24");
    }

    #[test]
    fn only_the_canonical_form_is_accepted() {
        for (written, meant) in [
            ("010.0.0.0/16", "10.0.0.0/16"),
            ("10.00.0.0/16", "10.0.0.0/16"),
            ("10.0.0.0/016", "10.0.0.0/16"),
            ("10.0.0.0/08", "10.0.0.0/8"),
            ("+10.0.0.0/16", "10.0.0.0/16"),
            ("10.0.0.0/+16", "10.0.0.0/16"),
            (" 10.0.0.0/16", "10.0.0.0/16"),
            ("10.0.0.0 /16", "10.0.0.0/16"),
            ("10.0.0.0/16 ", "10.0.0.0/16"),
            ("0010.0.1.0/16", "10.0.0.0/16"),
        ] {
            let err = Cidr::parse(written).unwrap_err();
            assert!(
                err.contains("not written canonically")
                    && err.ends_with(&format!("did you mean `{meant}`?")),
                "{written}: {err}"
            );
        }
        assert_eq!(
            Cidr::suggestion("10.0.0.0/016").map(|c| c.to_string()),
            Some("10.0.0.0/16".into())
        );
        assert_eq!(Cidr::suggestion("10.0.0.0/16"), None);
        assert_eq!(Cidr::suggestion("banana"), None);
        for nonsense in [
            "10.0.0.0/-1",
            "10.0.0.x/16",
            "10.0.0/16",
            "10.0.0.0",
            "1e1.0.0.0/8",
            "10.0.0.0/0016x",
        ] {
            assert!(Cidr::parse(nonsense).is_err(), "{nonsense}");
        }
    }

    #[test]
    fn containment_overlap_and_subnets() {
        assert!(c("10.0.0.0/16").contains(c("10.0.2.0/24")));
        assert!(!c("10.0.0.0/16").contains(c("10.1.0.0/24")));
        assert!(c("10.0.0.0/23").overlaps(c("10.0.1.0/24")));
        assert!(c("10.0.1.0/24").overlaps(c("10.0.0.0/23")));
        assert!(!c("10.0.0.0/24").overlaps(c("10.0.1.0/24")));
        assert!(c("10.0.0.0/24").overlaps(c("10.0.0.0/24")));
        let (training, endpoints) = c("10.0.0.0/16").default_subnets().unwrap();
        assert_eq!(
            (training.to_string(), endpoints.to_string()),
            ("10.0.0.0/24".into(), "10.0.1.0/24".into())
        );
        let (a, b) = c("192.168.0.0/25").default_subnets().unwrap();
        assert_eq!(
            (a.to_string(), b.to_string()),
            ("192.168.0.0/26".into(), "192.168.0.64/26".into())
        );
        assert_eq!(c("10.0.0.0/32").default_subnets(), None);
    }
}
