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
    /// Parses `a.b.c.d/n`; `Err` says what is wrong. Host bits must be zero.
    pub fn parse(text: &str) -> Result<Self, String> {
        let (addr, prefix) = text.split_once('/').ok_or("expected ADDRESS/PREFIX")?;
        let octets: Vec<u32> = addr
            .split('.')
            .map(|o| o.parse().map_err(|_| format!("`{o}` is not a number")))
            .collect::<Result<_, _>>()?;
        if octets.len() != 4 || octets.iter().any(|&o| o > 255) {
            return Err(format!("`{addr}` is not an IPv4 address"));
        }
        let prefix: u32 = prefix
            .parse()
            .map_err(|_| format!("`{prefix}` is not a prefix length"))?;
        if prefix > 32 {
            return Err(format!("prefix /{prefix} is longer than 32 bits"));
        }
        let address = octets.iter().fold(0u32, |acc, o| (acc << 8) | o);
        let cidr = Self { address, prefix };
        if address & cidr.host_mask() != 0 {
            let network = Self {
                address: address & !cidr.host_mask(),
                prefix,
            };
            return Err(format!(
                "`{text}` has host bits set; did you mean `{network}`?"
            ));
        }
        Ok(cidr)
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
