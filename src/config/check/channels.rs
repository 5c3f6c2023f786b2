//! `[channels.<id>]`: limits and wait bands.

use indexmap::IndexMap;

use super::{CheckError, CheckResult, parse_span};
use crate::config::raw::{RawBand, RawChannel, Texts};
use crate::config::season::{Band, Channel};

pub(super) fn check_all(raw: &IndexMap<String, RawChannel>) -> CheckResult<Vec<Channel>> {
    if raw.is_empty() {
        return Err(CheckError::new(
            "channels",
            "the config defines no channels: add e.g. [channels.phone] with a limit",
        ));
    }
    raw.iter().map(|(id, c)| Channel::check(id, c)).collect()
}

impl Channel {
    pub(super) fn check(id: &str, raw: &RawChannel) -> CheckResult<Channel> {
        let key = format!("channels.{id}");
        let (limit, business_time) = match &raw.limit {
            Some(l) => {
                let (span, business) = parse_span(&format!("{key}.limit"), l)?;
                (Some(span), business)
            }
            None => (None, false),
        };
        let mut bands: Vec<Band> = Vec::new();
        for (i, b) in raw.bands.iter().enumerate() {
            bands.push(Band::check(
                &format!("{key}.bands.{i}"),
                b,
                business_time,
                bands.last(),
            )?);
        }
        if limit.is_none() && !bands.is_empty() {
            return Err(CheckError::new(
                key,
                "bands need a limit: a channel without a limit has no wait rule",
            ));
        }
        Ok(Channel {
            id: id.to_string(),
            name: raw.name.clone().unwrap_or_else(|| Texts::plain(id)),
            limit,
            business_time,
            bands,
        })
    }
}

impl Band {
    /// A band of a channel whose limit is (or is not) in business time, after `previous`.
    fn check(
        key: &str,
        raw: &RawBand,
        business_time: bool,
        previous: Option<&Band>,
    ) -> CheckResult<Band> {
        let (within, business) = parse_span(key, &raw.within)?;
        if business && !business_time {
            return Err(CheckError::new(
                key,
                format!(
                    "`{}` is in business days but the channel's limit is not",
                    raw.within
                ),
            ));
        }
        if !(0.0..=1.0).contains(&raw.share) {
            return Err(CheckError::new(
                key,
                format!("share {} is outside 0 to 1", raw.share),
            ));
        }
        if previous.is_some_and(|p| within.seconds <= p.within.seconds) {
            return Err(CheckError::new(
                key,
                "bands must be listed shortest first, each longer than the one before",
            ));
        }
        // In a business-time channel, `4h` means four business hours: the same seconds.
        Ok(Band {
            within,
            share: raw.share,
            label: raw.within.clone(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn band(within: &str, share: f64) -> RawBand {
        RawBand {
            within: within.into(),
            share,
        }
    }

    fn channel(limit: Option<&str>, bands: Vec<RawBand>) -> RawChannel {
        RawChannel {
            name: None,
            limit: limit.map(str::to_string),
            bands,
        }
    }

    fn error(raw: RawChannel) -> CheckError {
        Channel::check("phone", &raw).expect_err("an error")
    }

    #[test]
    fn a_business_day_channel_measures_its_bands_in_business_time() {
        let c = Channel::check(
            "email",
            &channel(Some("3bd"), vec![band("4h", 1.0), band("1bd", 0.7)]),
        )
        .unwrap();
        assert!(c.business_time);
        assert_eq!(c.limit.unwrap().seconds, 3 * 86_400);
        assert_eq!(c.bands[0].within.seconds, 4 * 3600);
        assert_eq!(c.name.nb, "email");
    }

    #[test]
    fn every_channel_error_names_its_key() {
        let e = error(channel(Some("5 minutes"), vec![]));
        assert_eq!(
            (e.key.as_str(), e.message.contains("unknown unit")),
            ("channels.phone.limit", true)
        );
        let e = error(channel(Some("5m"), vec![band("1bd", 1.0)]));
        assert_eq!(e.key, "channels.phone.bands.0");
        assert!(
            e.message
                .contains("business days but the channel's limit is not")
        );
        let e = error(channel(Some("5m"), vec![band("1m", 1.5)]));
        assert!(e.message.contains("outside 0 to 1"));
        let e = error(channel(Some("5m"), vec![band("3m", 1.0), band("1m", 0.5)]));
        assert_eq!(e.key, "channels.phone.bands.1");
        assert!(e.message.contains("shortest first"));
        let e = error(channel(None, vec![band("1m", 1.0)]));
        assert_eq!(e.key, "channels.phone");
        assert!(e.message.contains("bands need a limit"));
        let e = check_all(&IndexMap::new()).err().unwrap();
        assert!(e.message.contains("no channels"));
    }
}
