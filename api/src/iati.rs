//! IATI 2.03 activity XML, rendered from the domain model: a pure function of what the caller
//! may read (gathered by `routes::iati` through the use cases), so that it can be unit tested
//! without a server. Element order follows `iati-activities-schema.xsd`, which is a sequence:
//! identifier, reporting-org, title, description, participating-org, activity-status,
//! activity-date, budget, transaction, result.
//!
//! Meridian keeps no IATI organisation identifier for an administration, so the reporting and
//! implementing organisation is named `MERIDIAN-<ISO code>` (see [`administration_ref`]); a
//! donor is named by its `iati_org_id` when it has one.

use std::{collections::BTreeMap, fmt::Write as _};

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use domain::{
    donor::Donor,
    funding::{Funding, FundingTransaction, TransactionKind},
    indicator::{Direction, Indicator, Measure},
    measurement::{Measurement, Target},
    objective::{Objective, ObjectiveLevel},
    period::Period,
    plan::Administration,
    project::{Project, ProjectStatus},
    text::LocalizedText,
    values::{AdministrationCode, Quantity},
};

/// The IATI version of the documents written here.
pub const VERSION: &str = "2.03";

/// `OrganisationType` code of a Customs administration: Government.
const GOVERNMENT: &str = "10";

/// The organisation identifier Meridian uses for an administration.
pub fn administration_ref(code: AdministrationCode) -> String {
    format!("MERIDIAN-{code}")
}

/// `ActivityStatus` code of a project status: proposed and approved projects are in the pipeline
/// (1), running ones in implementation (2), paused ones suspended (6), completed ones closed
/// (4), cancelled ones cancelled (5).
pub const fn activity_status(status: ProjectStatus) -> u8 {
    match status {
        ProjectStatus::Proposed | ProjectStatus::Approved => 1,
        ProjectStatus::InProgress => 2,
        ProjectStatus::Completed => 4,
        ProjectStatus::Cancelled => 5,
        ProjectStatus::OnHold => 6,
    }
}

/// `ResultType` code of an objective's level.
pub const fn result_type(level: ObjectiveLevel) -> u8 {
    match level {
        ObjectiveLevel::Output => 1,
        ObjectiveLevel::Outcome => 2,
        ObjectiveLevel::Impact => 3,
    }
}

/// `IndicatorMeasure` code of an indicator's measure (counts, currency and durations are units).
pub const fn indicator_measure(measure: Measure) -> u8 {
    match measure {
        Measure::Unit | Measure::Currency | Measure::DurationHours => 1,
        Measure::Percentage => 2,
        Measure::Ordinal => 4,
        Measure::Qualitative => 5,
    }
}

/// The first and last day of a period.
pub fn period_dates(period: Period) -> Option<(NaiveDate, NaiveDate)> {
    let first = |p: Period| {
        let (y, m) = p.start();
        NaiveDate::from_ymd_opt(y, m, 1)
    };
    Some((first(period)?, first(period.next())?.pred_opt()?))
}

/// A funding with its transactions and its donor (when the donor is registered).
#[derive(Debug, Clone)]
pub struct ActivityFunding {
    pub funding: Funding,
    pub donor: Option<Donor>,
    pub transactions: Vec<FundingTransaction>,
}

/// An indicator with its targets and the measurements the caller may see; only approved values
/// are exported.
#[derive(Debug, Clone)]
pub struct ActivityIndicator {
    pub indicator: Indicator,
    pub targets: Vec<Target>,
    pub measurements: Vec<Measurement>,
}

/// An objective the project contributes to, with its indicators.
#[derive(Debug, Clone)]
pub struct ActivityResult {
    pub objective: Objective,
    pub indicators: Vec<ActivityIndicator>,
}

/// Everything one `iati-activity` is made of.
#[derive(Debug, Clone)]
pub struct Activity {
    pub project: Project,
    pub administration: Administration,
    pub fundings: Vec<ActivityFunding>,
    pub results: Vec<ActivityResult>,
}

/// An `iati-activities` document being written, one activity at a time.
pub struct Document {
    xml: Xml,
}

impl Document {
    pub fn new(generated: DateTime<Utc>) -> Self {
        let mut xml = Xml::default();
        xml.out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        xml.open("iati-activities", &[("version", VERSION), ("generated-datetime", &generated.to_rfc3339_opts(SecondsFormat::Secs, true))]);
        Self { xml }
    }

    /// Appends one `iati-activity`.
    pub fn activity(&mut self, a: &Activity) {
        let x = &mut self.xml;
        let p = &a.project;
        let org_ref = administration_ref(a.administration.code);
        let mut attrs = vec![("last-updated-datetime", p.updated_at.to_rfc3339_opts(SecondsFormat::Secs, true))];
        attrs.push(("xml:lang", a.administration.default_language.to_string()));
        if let Some(budget) = &p.budget {
            attrs.push(("default-currency", budget.currency.as_str().to_owned()));
        }
        x.open("iati-activity", &attrs.iter().map(|(k, v)| (*k, v.as_str())).collect::<Vec<_>>());
        x.text("iati-identifier", &[], &format!("{org_ref}-{}", p.code.as_str()));
        x.open("reporting-org", &[("ref", &org_ref), ("type", GOVERNMENT)]);
        x.narratives(&a.administration.name);
        x.close();
        x.open("title", &[]);
        x.narratives(&p.title);
        x.close();
        // The schema requires a description: the title stands in for a missing one.
        x.open("description", &[("type", "1")]);
        x.narratives(p.description.as_ref().unwrap_or(&p.title));
        x.close();
        let mut donors_seen = Vec::new();
        for f in &a.fundings {
            if donors_seen.contains(&&f.funding.donor) {
                continue;
            }
            donors_seen.push(&f.funding.donor);
            x.org("participating-org", &[("role", "1")], &f.funding.donor, f.donor.as_ref());
        }
        x.open("participating-org", &[("ref", &org_ref), ("type", GOVERNMENT), ("role", "4")]);
        x.narratives(&a.administration.name);
        x.close();
        x.empty("activity-status", &[("code", &activity_status(p.status).to_string())]);
        for (kind, date) in [("1", Some(p.planned_start)), ("2", p.actual_start), ("3", Some(p.planned_end)), ("4", p.actual_end)] {
            if let Some(date) = date {
                x.empty("activity-date", &[("type", kind), ("iso-date", &date.to_string())]);
            }
        }
        if let Some(budget) = &p.budget {
            x.open("budget", &[("type", "1"), ("status", "1")]);
            x.empty("period-start", &[("iso-date", &p.planned_start.to_string())]);
            x.empty("period-end", &[("iso-date", &p.planned_end.to_string())]);
            x.value(budget.amount, budget.currency.as_str(), p.planned_start);
            x.close();
        }
        for f in &a.fundings {
            transactions(x, f, &org_ref, &a.administration.name);
        }
        for r in &a.results {
            result(x, r);
        }
        x.close();
    }

    /// Closes the document and returns it.
    pub fn finish(mut self) -> String {
        self.xml.close();
        self.xml.out
    }
}

/// A funding's commitment, unless a commitment was recorded as a transaction, then every
/// recorded transaction; the donor provides, the administration receives.
fn transactions(x: &mut Xml, f: &ActivityFunding, org_ref: &str, administration: &LocalizedText) {
    let currency = f.funding.committed.currency.as_str();
    let recorded_commitment = f.transactions.iter().any(|t| matches!(t.kind, TransactionKind::IncomingCommitment | TransactionKind::OutgoingCommitment));
    let mut rows: Vec<(u8, NaiveDate, Quantity, Option<&str>)> = Vec::new();
    if !recorded_commitment {
        rows.push((TransactionKind::IncomingCommitment.iati_code(), f.funding.created_at.date_naive(), f.funding.committed.amount, None));
    }
    rows.extend(f.transactions.iter().map(|t| (t.kind.iati_code(), t.date, t.amount, t.description.as_deref())));
    for (code, date, amount, description) in rows {
        x.open("transaction", &[]);
        x.empty("transaction-type", &[("code", &code.to_string())]);
        x.empty("transaction-date", &[("iso-date", &date.to_string())]);
        x.value(amount, currency, date);
        if let Some(d) = description {
            x.open("description", &[]);
            x.text("narrative", &[], d);
            x.close();
        }
        x.org("provider-org", &[], &f.funding.donor, f.donor.as_ref());
        x.open("receiver-org", &[("ref", org_ref), ("type", GOVERNMENT)]);
        x.narratives(administration);
        x.close();
        x.close();
    }
}

/// A `result` for an objective; the schema wants at least one indicator, so an objective without
/// any (visible) indicator is left out.
fn result(x: &mut Xml, r: &ActivityResult) {
    if r.indicators.is_empty() {
        return;
    }
    x.open("result", &[("type", &result_type(r.objective.level).to_string())]);
    x.open("title", &[]);
    x.narratives(&r.objective.title);
    x.close();
    if let Some(d) = &r.objective.description {
        x.open("description", &[]);
        x.narratives(d);
        x.close();
    }
    for i in &r.indicators {
        indicator(x, i);
    }
    x.close();
}

fn indicator(x: &mut Xml, a: &ActivityIndicator) {
    let i = &a.indicator;
    let measure = indicator_measure(i.measure).to_string();
    let mut attrs = vec![("measure", measure.as_str())];
    match i.direction {
        Direction::Increase => attrs.push(("ascending", "true")),
        Direction::Decrease => attrs.push(("ascending", "false")),
        Direction::Maintain => {}
    }
    x.open("indicator", &attrs);
    x.open("title", &[]);
    x.narratives(&i.name);
    x.close();
    if let Some(d) = &i.description {
        x.open("description", &[]);
        x.narratives(d);
        x.close();
    }
    let baseline = i.baseline.period;
    let year = baseline.year().to_string();
    let value = i.baseline.value.to_string();
    match period_dates(baseline) {
        Some((start, _)) if baseline.year() > 0 => x.empty("baseline", &[("iso-date", &start.to_string()), ("year", &year), ("value", &value)]),
        _ => {}
    }
    // Per period: its target and its approved actual, in time order.
    let mut periods: BTreeMap<Period, (Option<Quantity>, Option<Quantity>)> = BTreeMap::new();
    for t in a.targets.iter().filter(|t| t.indicator_id == i.id) {
        periods.entry(t.period).or_default().0 = Some(t.value);
    }
    for m in a.measurements.iter().filter(|m| m.indicator_id == i.id) {
        if let Some(v) = m.approved_value {
            periods.entry(m.period).or_default().1 = Some(v);
        }
    }
    for (period, (target, actual)) in periods {
        let Some((start, end)) = period_dates(period) else { continue };
        x.open("period", &[]);
        x.empty("period-start", &[("iso-date", &start.to_string())]);
        x.empty("period-end", &[("iso-date", &end.to_string())]);
        if let Some(t) = target {
            x.empty("target", &[("value", &t.to_string())]);
        }
        if let Some(v) = actual {
            x.empty("actual", &[("value", &v.to_string())]);
        }
        x.close();
    }
    x.close();
}

/// A small XML writer: indented elements, escaped text and attributes.
#[derive(Default)]
struct Xml {
    out: String,
    open: Vec<&'static str>,
}

impl Xml {
    fn indent(&mut self) {
        for _ in 0..self.open.len() {
            self.out.push_str("  ");
        }
    }

    fn start(&mut self, name: &str, attrs: &[(&str, &str)]) {
        self.indent();
        self.out.push('<');
        self.out.push_str(name);
        for (k, v) in attrs {
            let _ = write!(self.out, " {k}=\"{}\"", escape(v, true));
        }
    }

    fn open(&mut self, name: &'static str, attrs: &[(&str, &str)]) {
        self.start(name, attrs);
        self.out.push_str(">\n");
        self.open.push(name);
    }

    fn close(&mut self) {
        if let Some(name) = self.open.pop() {
            self.indent();
            let _ = writeln!(self.out, "</{name}>");
        }
    }

    fn empty(&mut self, name: &str, attrs: &[(&str, &str)]) {
        self.start(name, attrs);
        self.out.push_str("/>\n");
    }

    fn text(&mut self, name: &str, attrs: &[(&str, &str)], text: &str) {
        self.start(name, attrs);
        let _ = writeln!(self.out, ">{}</{name}>", escape(text, false));
    }

    /// One `narrative` per language.
    fn narratives(&mut self, text: &LocalizedText) {
        for (lang, t) in text.iter() {
            self.text("narrative", &[("xml:lang", lang.as_str())], t);
        }
    }

    /// An organisation element naming a donor: its IATI identifier as `ref` when known, its name
    /// (or its code, for an unregistered donor) as narratives.
    fn org(&mut self, element: &'static str, attrs: &[(&str, &str)], code: &domain::values::DonorCode, donor: Option<&Donor>) {
        let reference = donor.and_then(|d| d.iati_org_id.as_ref()).map(|r| r.as_str().to_owned());
        let mut all: Vec<(&str, &str)> = reference.as_deref().map(|r| vec![("ref", r)]).unwrap_or_default();
        all.extend_from_slice(attrs);
        self.open(element, &all);
        match donor {
            Some(d) => self.narratives(&d.name),
            None => self.text("narrative", &[], code.as_str()),
        }
        self.close();
    }

    fn value(&mut self, amount: Quantity, currency: &str, date: NaiveDate) {
        self.text("value", &[("currency", currency), ("value-date", &date.to_string())], &amount.to_string());
    }
}

/// Escapes text for XML 1.0: markup characters become entities, characters XML 1.0 cannot carry
/// (control characters other than tab, line feed and carriage return) are dropped, and in
/// attribute values the whitespace characters that attribute normalisation would turn into spaces
/// are kept as character references.
pub fn escape(text: &str, attribute: bool) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' if attribute => out.push_str("&quot;"),
            '\'' if attribute => out.push_str("&apos;"),
            '\t' if attribute => out.push_str("&#9;"),
            '\n' if attribute => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\t' | '\n' => out.push(c),
            c if (c as u32) < 0x20 || matches!(c, '\u{FFFE}' | '\u{FFFF}') => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use chrono::TimeZone;
    use domain::{ids::AdministrationId, objective::ObjectiveCode, text::LanguageTag};

    use super::*;

    fn text(pairs: &[(&str, &str)]) -> LocalizedText {
        LocalizedText::parse(pairs.iter().copied(), 1000).unwrap()
    }

    fn activity(status: ProjectStatus) -> Activity {
        let at = Utc.with_ymd_and_hms(2025, 5, 1, 12, 0, 0).unwrap();
        let code = AdministrationCode::parse("BOL").unwrap();
        Activity {
            project: Project {
                id: domain::ids::ProjectId::generate(),
                administration: code,
                code: ObjectiveCode::parse("P1").unwrap(),
                title: text(&[("es", "Ventanilla <única> & \"rápida\""), ("en", "Single window")]),
                description: None,
                status,
                planned_start: NaiveDate::from_ymd_opt(2024, 1, 1).unwrap(),
                planned_end: NaiveDate::from_ymd_opt(2026, 12, 31).unwrap(),
                actual_start: Some(NaiveDate::from_ymd_opt(2024, 2, 1).unwrap()),
                actual_end: None,
                budget: None,
                objective_ids: Vec::new(),
                portfolio_id: None,
                external_ref: None,
                version: 1,
                created_at: at,
                updated_at: at,
            },
            administration: Administration {
                id: AdministrationId::generate(),
                code,
                name: text(&[("es", "Aduana Nacional")]),
                default_language: LanguageTag::parse("es").unwrap(),
                version: 1,
                created_at: at,
                updated_at: at,
            },
            fundings: Vec::new(),
            results: Vec::new(),
        }
    }

    #[test]
    fn text_and_attributes_are_escaped() {
        assert_eq!(escape("a<b>&c \"d\" 'e'", false), "a&lt;b&gt;&amp;c \"d\" 'e'");
        assert_eq!(escape("a<b>&c \"d\" 'e'", true), "a&lt;b&gt;&amp;c &quot;d&quot; &apos;e&apos;");
        assert_eq!(escape("line\nnext\ttab\r", true), "line&#10;next&#9;tab&#13;");
        assert_eq!(escape("line\nnext\ttab", false), "line\nnext\ttab");
        assert_eq!(escape("bell\u{7}\u{0}end", false), "bellend");
        assert_eq!(escape("Україна 🇺🇦", false), "Україна 🇺🇦");
    }

    #[test]
    fn periods_span_their_days() {
        let dates = |p: &str| period_dates(Period::parse(p).unwrap()).map(|(a, b)| (a.to_string(), b.to_string())).unwrap();
        assert_eq!(dates("2024"), ("2024-01-01".into(), "2024-12-31".into()));
        assert_eq!(dates("2024-Q1"), ("2024-01-01".into(), "2024-03-31".into()));
        assert_eq!(dates("2024-Q4"), ("2024-10-01".into(), "2024-12-31".into()));
        assert_eq!(dates("2024-02"), ("2024-02-01".into(), "2024-02-29".into()));
        assert_eq!(dates("2023-12"), ("2023-12-01".into(), "2023-12-31".into()));
    }

    #[test]
    fn statuses_map_to_the_activity_status_codelist() {
        let codes: Vec<u8> = ProjectStatus::ALL.into_iter().map(activity_status).collect();
        assert_eq!(codes, [1, 1, 2, 6, 4, 5]);
    }

    #[test]
    fn an_activity_follows_the_schema_order_with_every_language() {
        let mut doc = Document::new(Utc.with_ymd_and_hms(2026, 1, 2, 3, 4, 5).unwrap());
        doc.activity(&activity(ProjectStatus::InProgress));
        let xml = doc.finish();
        assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<iati-activities version=\"2.03\" generated-datetime=\"2026-01-02T03:04:05Z\">"));
        assert!(xml.contains("<iati-identifier>MERIDIAN-BOL-P1</iati-identifier>"));
        assert!(xml.contains("<narrative xml:lang=\"es\">Ventanilla &lt;única&gt; &amp; \"rápida\"</narrative>"));
        assert!(xml.contains("<narrative xml:lang=\"en\">Single window</narrative>"));
        assert!(xml.contains("<activity-status code=\"2\"/>"));
        assert!(xml.contains("<activity-date type=\"2\" iso-date=\"2024-02-01\"/>"));
        assert!(!xml.contains("type=\"4\" iso-date"), "no actual end yet");
        let order = ["<iati-identifier>", "<reporting-org", "<title>", "<description", "<participating-org", "<activity-status", "<activity-date"];
        let positions: Vec<usize> = order.iter().map(|tag| xml.find(tag).unwrap()).collect();
        assert!(positions.windows(2).all(|w| w[0] < w[1]), "{xml}");
        assert!(xml.ends_with("</iati-activity>\n</iati-activities>\n"));
    }
}
