//! Funding: a donor's commitment to a project, and the transactions against it, typed as IATI
//! types them. Money is exact and never summed across currencies.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;

use crate::{
    FieldError,
    assessment::{Currency, Money},
    error::Errors,
    ids::{FundingId, ProjectId, TransactionId},
    values::{AdministrationCode, DonorCode, Quantity},
};

/// IATI transaction types (codelist `TransactionType`, version 2.03).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TransactionKind {
    IncomingFunds,
    OutgoingCommitment,
    Disbursement,
    Expenditure,
    IncomingCommitment,
}

impl TransactionKind {
    pub const ALL: [Self; 5] = [Self::IncomingFunds, Self::OutgoingCommitment, Self::Disbursement, Self::Expenditure, Self::IncomingCommitment];

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::IncomingFunds => "incoming_funds",
            Self::OutgoingCommitment => "outgoing_commitment",
            Self::Disbursement => "disbursement",
            Self::Expenditure => "expenditure",
            Self::IncomingCommitment => "incoming_commitment",
        }
    }

    /// The IATI code of the type.
    pub const fn iati_code(self) -> u8 {
        match self {
            Self::IncomingFunds => 1,
            Self::OutgoingCommitment => 2,
            Self::Disbursement => 3,
            Self::Expenditure => 4,
            Self::IncomingCommitment => 11,
        }
    }

    /// # Errors
    /// `invalid_value` naming the types.
    pub fn parse(s: &str) -> Result<Self, FieldError> {
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| FieldError::new("", "invalid_value", "one of incoming_funds, outgoing_commitment, disbursement, expenditure, incoming_commitment"))
    }
}

/// A donor's commitment to a project.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Funding {
    pub id: FundingId,
    pub project_id: ProjectId,
    pub administration: AdministrationCode,
    pub donor: DonorCode,
    pub committed: Money,
    /// Lets disbursements exceed the commitment (set on purpose, and audited).
    pub allow_over_disbursement: bool,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A dated flow of money against a funding, in the funding's currency.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct FundingTransaction {
    pub id: TransactionId,
    pub funding_id: FundingId,
    pub administration: AdministrationCode,
    pub kind: TransactionKind,
    pub date: NaiveDate,
    pub amount: Quantity,
    pub description: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// Raw funding fields as a client sent them.
#[derive(Debug, Clone, Default)]
pub struct FundingInput {
    pub donor: Option<String>,
    pub committed_amount: Option<String>,
    pub currency: Option<String>,
    pub allow_over_disbursement: Option<bool>,
}

/// Validated funding content.
#[derive(Debug, Clone, PartialEq)]
pub struct FundingDraft {
    pub donor: DonorCode,
    pub committed: Money,
    pub allow_over_disbursement: bool,
}

fn positive(e: &mut Errors, field: &str, raw: Option<&String>) -> Option<Quantity> {
    match raw {
        Some(a) => e.take(
            field,
            Quantity::parse(a)
                .and_then(|q| if q.get() > Decimal::ZERO { Ok(q) } else { Err(FieldError::new("", "must_be_positive", "an amount greater than 0")) }),
        ),
        None => {
            e.push(FieldError::new(field, "required", "an amount"));
            None
        }
    }
}

impl FundingDraft {
    /// # Errors
    /// Every invalid or missing field (donor, amount and currency are required).
    pub fn parse(input: &FundingInput) -> Result<Self, Vec<FieldError>> {
        let mut e = Errors::new();
        let donor = match &input.donor {
            Some(d) => e.take("donor", DonorCode::parse(d)),
            None => {
                e.push(FieldError::new("donor", "required", "the donor's code"));
                None
            }
        };
        let amount = positive(&mut e, "committed_amount", input.committed_amount.as_ref());
        let currency = match &input.currency {
            Some(c) => e.take("currency", Currency::parse(c)),
            None => {
                e.push(FieldError::new("currency", "required", "an ISO 4217 code"));
                None
            }
        };
        let finished = e.finish();
        match (donor, amount, currency, finished) {
            (Some(donor), Some(amount), Some(currency), Ok(())) => {
                Ok(Self { donor, committed: Money { amount, currency }, allow_over_disbursement: input.allow_over_disbursement.unwrap_or(false) })
            }
            (.., Err(crate::DomainError::Validation(v))) => Err(v),
            _ => Err(vec![FieldError::new("", "invalid", "invalid funding")]),
        }
    }
}

/// Raw transaction fields as a client sent them.
#[derive(Debug, Clone, Default)]
pub struct TransactionInput {
    pub kind: Option<String>,
    pub date: Option<String>,
    pub amount: Option<String>,
    pub description: Option<String>,
}

/// A validated transaction to record.
#[derive(Debug, Clone, PartialEq)]
pub struct TransactionDraft {
    pub kind: TransactionKind,
    pub date: NaiveDate,
    pub amount: Quantity,
    pub description: Option<String>,
}

impl TransactionDraft {
    /// # Errors
    /// Every invalid or missing field; the date cannot lie in the future (`today`).
    pub fn parse(input: &TransactionInput, today: NaiveDate) -> Result<Self, Vec<FieldError>> {
        let mut e = Errors::new();
        let kind = match &input.kind {
            Some(k) => e.take("kind", TransactionKind::parse(k)),
            None => {
                e.push(FieldError::new("kind", "required", "the IATI transaction type"));
                None
            }
        };
        let date = match &input.date {
            Some(d) => match NaiveDate::parse_from_str(d, "%Y-%m-%d") {
                Ok(d) if d > today => {
                    e.push(FieldError::new("date", "in_future", "a transaction is recorded once it happened"));
                    None
                }
                Ok(d) => Some(d),
                Err(_) => {
                    e.push(FieldError::new("date", "invalid_date", "a date such as 2024-03-31"));
                    None
                }
            },
            None => {
                e.push(FieldError::new("date", "required", "the date of the transaction"));
                None
            }
        };
        let amount = positive(&mut e, "amount", input.amount.as_ref());
        let description = match input.description.as_deref().map(str::trim) {
            Some(d) if d.chars().count() > 1000 => {
                e.push(FieldError::new("description", "too_long", "at most 1000 characters"));
                None
            }
            d => Some(d.filter(|d| !d.is_empty()).map(str::to_owned)),
        };
        let finished = e.finish();
        match (kind, date, amount, description, finished) {
            (Some(kind), Some(date), Some(amount), Some(description), Ok(())) => Ok(Self { kind, date, amount, description }),
            (.., Err(crate::DomainError::Validation(v))) => Err(v),
            _ => Err(vec![FieldError::new("", "invalid", "invalid transaction")]),
        }
    }
}

/// Money per currency: what a set of fundings adds up to, never mixing currencies.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Totals {
    /// Committed, disbursed and spent per currency code.
    pub by_currency: BTreeMap<String, CurrencyTotals>,
}

/// The figures of one currency.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CurrencyTotals {
    pub committed: Decimal,
    pub disbursed: Decimal,
    pub spent: Decimal,
}

impl Totals {
    /// Adds up fundings and their transactions, currency by currency.
    pub fn of(fundings: &[Funding], transactions: &[FundingTransaction]) -> Self {
        let mut by_currency: BTreeMap<String, CurrencyTotals> = BTreeMap::new();
        for f in fundings {
            let t = by_currency.entry(f.committed.currency.as_str().to_owned()).or_default();
            t.committed += f.committed.amount.get();
            for tx in transactions.iter().filter(|tx| tx.funding_id == f.id) {
                match tx.kind {
                    TransactionKind::Disbursement => t.disbursed += tx.amount.get(),
                    TransactionKind::Expenditure => t.spent += tx.amount.get(),
                    _ => {}
                }
            }
        }
        Self { by_currency }
    }
}

/// Checks the money rule before a disbursement is recorded: disbursed may not exceed
/// committed unless the funding allows it explicitly.
///
/// # Errors
/// A field error on `amount` (`exceeds_commitment`) naming what is left.
pub fn check_disbursement(funding: &Funding, existing: &[FundingTransaction], new: &TransactionDraft) -> Result<(), FieldError> {
    if new.kind != TransactionKind::Disbursement || funding.allow_over_disbursement {
        return Ok(());
    }
    let disbursed: Decimal = existing.iter().filter(|t| t.funding_id == funding.id && t.kind == TransactionKind::Disbursement).map(|t| t.amount.get()).sum();
    let left = funding.committed.amount.get() - disbursed;
    if new.amount.get() > left {
        Err(FieldError::new(
            "amount",
            "exceeds_commitment",
            format!("only {} {} of the commitment is left to disburse", left.normalize(), funding.committed.currency.as_str()),
        ))
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn funding(amount: &str, currency: &str, allow: bool) -> Funding {
        let now = Utc::now();
        Funding {
            id: FundingId::generate(),
            project_id: ProjectId::generate(),
            administration: AdministrationCode::parse("BOL").unwrap(),
            donor: DonorCode::parse("SECO").unwrap(),
            committed: Money { amount: Quantity::parse(amount).unwrap(), currency: Currency::parse(currency).unwrap() },
            allow_over_disbursement: allow,
            version: 1,
            created_at: now,
            updated_at: now,
        }
    }

    fn tx(f: &Funding, kind: TransactionKind, amount: &str) -> FundingTransaction {
        FundingTransaction {
            id: TransactionId::generate(),
            funding_id: f.id,
            administration: f.administration,
            kind,
            date: NaiveDate::from_ymd_opt(2025, 1, 1).unwrap(),
            amount: Quantity::parse(amount).unwrap(),
            description: None,
            created_at: Utc::now(),
        }
    }

    fn draft(kind: TransactionKind, amount: &str) -> TransactionDraft {
        TransactionDraft { kind, date: NaiveDate::from_ymd_opt(2025, 1, 2).unwrap(), amount: Quantity::parse(amount).unwrap(), description: None }
    }

    #[test]
    fn disbursements_stay_within_the_commitment_unless_allowed() {
        let f = funding("1000", "CHF", false);
        let done = [tx(&f, TransactionKind::Disbursement, "600"), tx(&f, TransactionKind::Expenditure, "900")];
        assert!(check_disbursement(&f, &done, &draft(TransactionKind::Disbursement, "400")).is_ok());
        let err = check_disbursement(&f, &done, &draft(TransactionKind::Disbursement, "400.01")).unwrap_err();
        assert_eq!(err.code, "exceeds_commitment");
        assert!(err.message.contains("400 CHF"));
        assert!(check_disbursement(&f, &done, &draft(TransactionKind::Expenditure, "5000")).is_ok());
        let open = funding("1000", "CHF", true);
        assert!(check_disbursement(&open, &[], &draft(TransactionKind::Disbursement, "5000")).is_ok());
    }

    #[test]
    fn totals_never_mix_currencies() {
        let chf = funding("1000", "CHF", false);
        let usd = funding("250.50", "USD", false);
        let usd2 = funding("100", "USD", false);
        let txs =
            [tx(&chf, TransactionKind::Disbursement, "300"), tx(&usd, TransactionKind::Disbursement, "50.25"), tx(&usd2, TransactionKind::Expenditure, "10")];
        let t = Totals::of(&[chf, usd, usd2], &txs);
        assert_eq!(t.by_currency.len(), 2);
        assert_eq!(t.by_currency["CHF"], CurrencyTotals { committed: Decimal::new(1000, 0), disbursed: Decimal::new(300, 0), spent: Decimal::ZERO });
        assert_eq!(t.by_currency["USD"].committed, Decimal::new(35050, 2));
        assert_eq!(t.by_currency["USD"].disbursed, Decimal::new(5025, 2));
        assert_eq!(t.by_currency["USD"].spent, Decimal::new(10, 0));
    }

    #[test]
    fn transaction_types_carry_their_iati_codes() {
        assert_eq!(TransactionKind::Disbursement.iati_code(), 3);
        assert_eq!(TransactionKind::IncomingCommitment.iati_code(), 11);
        assert!(TransactionKind::parse("loan").is_err());
    }
}
