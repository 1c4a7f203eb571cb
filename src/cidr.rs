//! IPv4 address ranges in CIDR notation: parsing with a reason when invalid, containment,
//! overlap, and carving the default subnets out of a virtual network's address space.

/// A parsed IPv4 range: network address and prefix length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cidr {
    /// Network address as a number.
    pub address: u32,
    /// Prefix length, 0-32.
    pub prefix: u32,
}

impl Cidr {
    /// Parses `a.b.c.d/n` in canonical form; `Err` says what is wrong. Host bits must be zero,
    /// and every number must be plain decimal: no leading zeros (`010` is octal to some tools
    /// and decimal to others, so the same spec would mean two networks), signs or spaces.
    pub fn parse(text: &str) -> Result<Self, String> {
        let written = Self::parse_lenient(text)?;
        let network = written.network();
        let (addr, prefix) = text.split_once('/').unwrap_or((text, ""));
        if !addr.split('.').chain([prefix]).all(is_plain_decimal) {
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
        Ok(written)
    }

    /// The canonical range `text` most likely means, when that is not what it says: for the
    /// "did you mean" of diagnostics that reject the text before [`Cidr::parse`] sees it.
    pub fn suggestion(text: &str) -> Option<Self> {
        Self::parse_lenient(text)
            .ok()
            .map(Self::network)
            .filter(|network| network.to_string() != text)
    }

    /// The address and prefix as a person most likely meant them, host bits kept.
    fn parse_lenient(text: &str) -> Result<Self, String> {
        let (addr, prefix) = text.split_once('/').ok_or("expected ADDRESS/PREFIX")?;
        let octets: Vec<u32> = addr
            .split('.')
            .map(|o| lenient_number(o).ok_or_else(|| format!("`{o}` is not a number")))
            .collect::<Result<_, _>>()?;
        if octets.len() != 4 || octets.iter().any(|&o| o > 255) {
            return Err(format!("`{addr}` is not an IPv4 address"));
        }
        let prefix: u32 =
            lenient_number(prefix).ok_or_else(|| format!("`{prefix}` is not a prefix length"))?;
        if prefix > 32 {
            return Err(format!("prefix /{prefix} is longer than 32 bits"));
        }
        let address = octets.iter().fold(0u32, |acc, o| (acc << 8) | o);
        Ok(Self { address, prefix })
    }

    /// The range with its host bits cleared.
    fn network(self) -> Self {
        Self {
            address: self.address & !self.host_mask(),
            prefix: self.prefix,
        }
    }

    fn host_mask(self) -> u32 {
        u32::MAX.checked_shr(self.prefix).unwrap_or(0)
    }

    /// The last address in the range.
    fn last(self) -> u32 {
        self.address | self.host_mask()
    }

    /// True when `other` lies entirely inside this range.
    pub fn contains(self, other: Self) -> bool {
        other.prefix >= self.prefix && other.address >= self.address && other.last() <= self.last()
    }

    /// True when the two ranges share an address.
    pub fn overlaps(self, other: Self) -> bool {
        self.address <= other.last() && other.address <= self.last()
    }

    /// The `index`-th subnet of length `prefix` inside this range, if it fits.
    pub fn subnet(self, prefix: u32, index: u32) -> Option<Self> {
        if prefix < self.prefix || prefix > 32 {
            return None;
        }
        let size = 1u64 << (32 - prefix);
        let start = u64::from(self.address) + size * u64::from(index);
        let candidate = Self {
            address: u32::try_from(start).ok()?,
            prefix,
        };
        self.contains(candidate).then_some(candidate)
    }

    /// The default (training, private-endpoint) subnets: the first two /24s, or the two halves
    /// of a range smaller than /23.
    pub fn default_subnets(self) -> Option<(Self, Self)> {
        let prefix = (self.prefix + 1).max(24);
        Some((self.subnet(prefix, 0)?, self.subnet(prefix, 1)?))
    }
}

/// `0`, or digits without a leading zero: the only spelling of a number mlgen accepts.
fn is_plain_decimal(text: &str) -> bool {
    !text.is_empty()
        && text.len() <= 3
        && text.bytes().all(|b| b.is_ascii_digit())
        && (text == "0" || !text.starts_with('0'))
}

/// What a person most likely meant by a non-canonical number: surrounding spaces, a `+`
/// sign and leading zeros dropped, read as decimal. Only used to suggest the canonical form.
fn lenient_number(text: &str) -> Option<u32> {
    let digits = text.trim();
    let digits = digits.strip_prefix('+').unwrap_or(digits);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let significant = digits.trim_start_matches('0');
    if significant.len() > 3 {
        return None;
    }
    Some(significant.parse().unwrap_or(0))
}

impl std::fmt::Display for Cidr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let a = self.address;
        write!(
            f,
            "{}.{}.{}.{}/{}",
            a >> 24,
            (a >> 16) & 0xff,
            (a >> 8) & 0xff,
            a & 0xff,
            self.prefix
        )
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
        assert!(Cidr::parse("300.0.0.0/16").is_err());
        assert!(Cidr::parse("10.0.0.0/33").is_err());
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
        assert!(!c("10.0.0.0/24").overlaps(c("10.0.1.0/24")));
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
