//! Where webhooks may be delivered. A subscription names a URL that Meridian's servers will
//! call: one pointing into the network Meridian runs in (loopback, private, link-local and
//! similar ranges) would let a client probe or reach internal services, so such targets are
//! refused unless the operator allows them (for a test receiver or an intranet deployment).
//! The address check is also what the delivery worker applies to the addresses a host name
//! resolves to, so a name that resolves inward is refused at delivery time too.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use crate::FieldError;

/// Whether `ip` is an address on the public internet: not loopback, private, link-local,
/// shared (carrier-grade NAT), unspecified, broadcast, multicast, documentation or reserved,
/// also when written as an IPv4-mapped IPv6 address.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => is_public_v4(v4),
            None => is_public_v6(v6),
        },
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, ..] = ip.octets();
    !(ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_multicast()
        || ip.is_documentation()
        || a == 0
        || (a == 100 && (64..128).contains(&b))
        || (a == 192 && b == 0 && ip.octets()[2] == 0)
        || (a == 198 && (b == 18 || b == 19))
        || a >= 240)
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    let first = ip.segments()[0];
    !(ip.is_loopback()
        || ip.is_unspecified()
        || ip.is_multicast()
        || (first & 0xfe00) == 0xfc00
        || (first & 0xffc0) == 0xfe80
        || first == 0x2001 && ip.segments()[1] == 0x0db8
        || first == 0x0064 && ip.segments()[1] == 0xff9b)
}

/// A webhook target that passed the rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetUrl(url::Url);

impl TargetUrl {
    /// An `https` URL (or `http` where private targets are allowed), without credentials, whose
    /// host is a public address or a name that is not obviously internal.
    ///
    /// # Errors
    /// `invalid_url`, `insecure_url` or `private_target`.
    pub fn parse(raw: &str, allow_private: bool) -> Result<Self, FieldError> {
        let url = url::Url::parse(raw.trim()).map_err(|e| FieldError::new("", "invalid_url", format!("not an absolute URL: {e}")))?;
        match url.scheme() {
            "https" => {}
            "http" if allow_private => {}
            "http" => return Err(FieldError::new("", "insecure_url", "webhooks are delivered over https")),
            _ => return Err(FieldError::new("", "invalid_url", "an https URL")),
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(FieldError::new("", "invalid_url", "credentials do not belong in the URL; deliveries are signed instead"));
        }
        let inward = match url.host() {
            None => return Err(FieldError::new("", "invalid_url", "the URL names no host")),
            Some(url::Host::Ipv4(ip)) => !is_public(IpAddr::V4(ip)),
            Some(url::Host::Ipv6(ip)) => !is_public(IpAddr::V6(ip)),
            Some(url::Host::Domain(name)) => {
                let name = name.trim_end_matches('.').to_ascii_lowercase();
                name == "localhost" || [".localhost", ".local", ".internal", ".lan", ".home.arpa"].iter().any(|s| name.ends_with(s)) || !name.contains('.')
            }
        };
        if inward && !allow_private {
            return Err(FieldError::new("", "private_target", "the URL points into a private network; use a public address"));
        }
        Ok(Self(url))
    }

    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(raw: &str) -> &'static str {
        TargetUrl::parse(raw, false).unwrap_err().code
    }

    #[test]
    fn inward_addresses_are_not_public() {
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "255.255.255.255",
            "224.0.0.1",
            "::1",
            "::",
            "fe80::1",
            "fd00::1",
            "::ffff:127.0.0.1",
            "::ffff:169.254.169.254",
        ] {
            assert!(!is_public(ip.parse().unwrap()), "{ip}");
        }
        for ip in ["8.8.8.8", "172.32.0.1", "100.128.0.1", "2a00:1450:4001:80b::200e", "::ffff:8.8.8.8"] {
            assert!(is_public(ip.parse().unwrap()), "{ip}");
        }
    }

    #[test]
    fn targets_are_public_https_urls_unless_the_operator_allows_more() {
        assert_eq!(TargetUrl::parse("https://hooks.aduana.gob.bo/meridian", false).unwrap().as_str(), "https://hooks.aduana.gob.bo/meridian");
        assert!(TargetUrl::parse("https://8.8.8.8/hook", false).is_ok());
        assert_eq!(refused("http://hooks.example.org/"), "insecure_url");
        assert_eq!(refused("ftp://hooks.example.org/"), "invalid_url");
        assert_eq!(refused("not a url"), "invalid_url");
        assert_eq!(refused("https://user:pw@hooks.example.org/"), "invalid_url");
        for inward in [
            "https://127.0.0.1/",
            "https://localhost:8080/",
            "https://api.localhost/",
            "https://[::1]/",
            "https://169.254.169.254/latest/meta-data",
            "https://10.0.0.5/",
            "https://[::ffff:7f00:1]/",
            "https://intranet/",
            "https://printer.local/",
            "https://2130706433/",
        ] {
            assert_eq!(refused(inward), "private_target", "{inward}");
        }
        assert!(TargetUrl::parse("http://127.0.0.1:9000/hook", true).is_ok(), "a test receiver, when configured");
    }
}
