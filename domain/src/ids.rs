//! One identifier type per aggregate, so a plan id can never be passed where an indicator id
//! is expected. Ids are UUIDv7: unique, and ordered by creation time, which gives lists a stable,
//! insertion-ordered key for cursor pagination.

use std::{fmt, str::FromStr};

use uuid::Uuid;

use crate::FieldError;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        #[serde(transparent)]
        pub struct $name(Uuid);

        impl $name {
            /// A fresh, time-ordered id.
            pub fn generate() -> Self {
                Self(Uuid::now_v7())
            }

            pub const fn from_uuid(id: Uuid) -> Self {
                Self(id)
            }

            pub const fn as_uuid(&self) -> Uuid {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = FieldError;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s)
                    .map(Self)
                    .map_err(|_| FieldError::new("", "invalid_id", format!("`{s}` is not a UUID")))
            }
        }
    };
}

id_type!(
    /// Identifies an [`Administration`](crate::plan::Administration).
    AdministrationId
);
id_type!(
    /// Identifies a [`StrategicPlan`](crate::plan::StrategicPlan).
    PlanId
);
id_type!(
    /// Identifies an [`Objective`](crate::objective::Objective).
    ObjectiveId
);
id_type!(
    /// Identifies an [`Indicator`](crate::indicator::Indicator).
    IndicatorId
);
id_type!(
    /// Identifies an [`IndicatorDefinition`](crate::indicator::IndicatorDefinition) of the catalogue.
    IndicatorDefinitionId
);
id_type!(
    /// Identifies a [`Measurement`](crate::measurement::Measurement).
    MeasurementId
);
id_type!(
    /// Identifies a [`Target`](crate::measurement::Target).
    TargetId
);
id_type!(
    /// Identifies a [`CapabilityAssessment`](crate::assessment::CapabilityAssessment).
    AssessmentId
);
id_type!(
    /// Identifies a [`Practice`](crate::practice::Practice) of the library.
    PracticeId
);
id_type!(
    /// Identifies a [`Donor`](crate::donor::Donor).
    DonorId
);
id_type!(
    /// Identifies a [`Project`](crate::project::Project).
    ProjectId
);
id_type!(
    /// Identifies a [`Milestone`](crate::project::Milestone).
    MilestoneId
);
id_type!(
    /// Identifies a [`Funding`](crate::funding::Funding).
    FundingId
);
id_type!(
    /// Identifies a [`FundingTransaction`](crate::funding::FundingTransaction).
    TransactionId
);
id_type!(
    /// Identifies a [`Risk`](crate::risk::Risk).
    RiskId
);
id_type!(
    /// Identifies a [`Portfolio`](crate::portfolio::Portfolio).
    PortfolioId
);
id_type!(
    /// Identifies a [`Stakeholder`](crate::stakeholder::Stakeholder).
    StakeholderId
);
id_type!(
    /// Identifies an [`Engagement`](crate::stakeholder::Engagement).
    EngagementId
);
id_type!(
    /// Identifies a registered [`MachineClient`](crate::client::MachineClient).
    ClientId
);
id_type!(
    /// Identifies one secret of a machine client.
    ClientSecretId
);
id_type!(
    /// Identifies a webhook [`Subscription`](crate::webhook::Subscription).
    SubscriptionId
);
id_type!(
    /// Identifies a webhook [`Delivery`](crate::webhook::Delivery).
    DeliveryId
);
