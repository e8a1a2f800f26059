//! Demo data beyond the plans: the Programme's donors (SECO, WCO), each administration's
//! capability assessments (its starting point in 2022 and a follow-up in 2025), a project of
//! each administration in a portfolio, with milestones (some overdue), donor funding, a risk and
//! a stakeholder engaged on it, and the practices some of them shared in the library.
//! Entered through the use cases like the rest of the demo, and only where an administration
//! has none yet, so loading twice adds nothing.

use domain::{
    DomainError,
    assessment::AssessmentInput,
    donor::DonorInput,
    funding::{FundingInput, TransactionInput},
    page::PageRequest,
    portfolio::PortfolioInput,
    practice::{PracticeInput, PracticeStatus},
    principal::Principal,
    project::{MilestoneInput, ProjectInput, ProjectStatus},
    risk::{RiskInput, RiskSubject},
    services::{PracticeQuery, Services},
    stakeholder::{EngagementRole, EngagementSubject, StakeholderInput},
    values::AdministrationCode,
};

/// Maturity levels 1–5 in the order of the dimensions named below.
const DIMENSIONS: [&str; 7] =
    ["strategic_management", "risk_management", "information_technology", "human_resources", "integrity", "trade_facilitation", "stakeholder_cooperation"];

struct AssessmentSpec {
    administration: &'static str,
    staff: i64,
    budget: (&'static str, &'static str),
    /// The 2022 starting point, then the 2025 follow-up.
    levels: [[i64; 7]; 2],
}

const ASSESSMENTS: &[AssessmentSpec] = &[
    AssessmentSpec { administration: "BGD", staff: 5100, budget: ("9800000000", "BDT"), levels: [[2, 1, 2, 2, 2, 2, 1], [2, 2, 3, 2, 2, 3, 2]] },
    AssessmentSpec { administration: "BOL", staff: 2900, budget: ("410000000", "BOB"), levels: [[2, 2, 2, 2, 3, 2, 2], [3, 3, 3, 2, 3, 3, 3]] },
    AssessmentSpec { administration: "COL", staff: 4300, budget: ("520000000000", "COP"), levels: [[3, 3, 3, 3, 3, 3, 2], [4, 3, 4, 3, 3, 4, 3]] },
    AssessmentSpec { administration: "GTM", staff: 1800, budget: ("640000000", "GTQ"), levels: [[2, 2, 2, 2, 2, 2, 2], [3, 3, 2, 2, 3, 3, 2]] },
    AssessmentSpec { administration: "PER", staff: 3600, budget: ("950000000", "PEN"), levels: [[3, 3, 3, 2, 3, 3, 3], [3, 4, 4, 3, 3, 4, 3]] },
    AssessmentSpec { administration: "UKR", staff: 9800, budget: ("6200000000", "UAH"), levels: [[3, 2, 3, 3, 2, 3, 3], [3, 3, 3, 3, 3, 4, 3]] },
    AssessmentSpec { administration: "UZB", staff: 7000, budget: ("1900000000000", "UZS"), levels: [[2, 2, 2, 2, 2, 2, 1], [3, 3, 3, 2, 3, 3, 2]] },
];

struct PracticeSpec {
    administration: &'static str,
    kind: &'static str,
    title: &'static [(&'static str, &'static str)],
    body: &'static [(&'static str, &'static str)],
    tags: &'static [&'static str],
}

const PRACTICES: &[PracticeSpec] = &[
    PracticeSpec {
        administration: "BOL",
        kind: "best_practice",
        title: &[("es", "Perfiles de riesgo compartidos en frontera"), ("en", "Risk profiles shared at the border")],
        body: &[
            (
                "es",
                "La Aduana Nacional comparte perfiles de riesgo con la policía y las agencias sanitarias en sus pasos de frontera, lo que redujo las inspecciones físicas sin perder hallazgos.",
            ),
            (
                "en",
                "The National Customs shares risk profiles with police and sanitary agencies at its border posts, which cut physical inspections without losing findings.",
            ),
        ],
        tags: &["risk-management", "coordinated-border-management"],
    },
    PracticeSpec {
        administration: "COL",
        kind: "lesson_learned",
        title: &[("es", "La validación OEA exige más auditorías de lo previsto"), ("en", "AEO validation needs more audits than planned")],
        body: &[
            ("es", "Planificar dos visitas de validación por operador y capacitar a las pymes antes de la solicitud acortó los plazos de certificación."),
            ("en", "Planning two validation visits per operator and training small firms before they apply shortened certification times."),
        ],
        tags: &["aeo", "trade-facilitation"],
    },
    PracticeSpec {
        administration: "UKR",
        kind: "challenge",
        title: &[("uk", "Утримання ІТ-фахівців у митниці"), ("en", "Keeping IT specialists in Customs")],
        body: &[
            ("uk", "Конкуренція з приватним сектором ускладнює утримання розробників митних систем."),
            ("en", "Competition with the private sector makes it hard to keep the developers of Customs systems."),
        ],
        tags: &["human-resources", "it"],
    },
    PracticeSpec {
        administration: "PER",
        kind: "opportunity",
        title: &[("es", "Despacho anticipado con la VUCE 2.0"), ("en", "Pre-arrival clearance with VUCE 2.0")],
        body: &[
            ("es", "La nueva ventanilla única permite presentar la declaración antes de la llegada y liberar la carga en horas."),
            ("en", "The new single window lets traders lodge declarations before arrival and release cargo within hours."),
        ],
        tags: &["single-window", "pre-arrival"],
    },
];

/// The Programme's donor and implementing partner.
const DONORS: &[(&str, &[(&str, &str)])] = &[
    (
        "SECO",
        &[
            ("en", "State Secretariat for Economic Affairs SECO"),
            ("fr", "Secrétariat d'État à l'économie SECO"),
            ("de", "Staatssekretariat für Wirtschaft SECO"),
        ],
    ),
    ("WCO", &[("en", "World Customs Organization"), ("fr", "Organisation mondiale des douanes"), ("es", "Organización Mundial de Aduanas")]),
];

struct ProjectSpec {
    administration: &'static str,
    code: &'static str,
    title: &'static [(&'static str, &'static str)],
    dates: (&'static str, &'static str),
    budget: (&'static str, &'static str),
    milestones: &'static [(&'static str, &'static str, Option<&'static str>)],
    /// Donor, committed amount and currency, disbursed so far.
    funding: (&'static str, &'static str, &'static str, &'static str),
    risk: (&'static str, i64, i64),
    /// The portfolio it belongs to: code and title.
    portfolio: (&'static str, &'static [(&'static str, &'static str)]),
    /// A stakeholder engaged on it: name, kind and role.
    stakeholder: (&'static [(&'static str, &'static str)], &'static str, &'static str),
}

const PROJECTS: &[ProjectSpec] = &[
    ProjectSpec {
        administration: "BOL",
        code: "P-SUMA2",
        title: &[("es", "Modernización del sistema SUMA y ventanilla única"), ("en", "SUMA modernisation and single window")],
        dates: ("2023-03-01", "2026-12-31"),
        budget: ("4200000", "USD"),
        milestones: &[
            ("Diseño funcional aprobado", "2023-09-30", Some("2023-10-12")),
            ("Piloto en El Alto", "2025-03-31", None),
            ("Despliegue nacional", "2026-10-31", None),
        ],
        funding: ("SECO", "1500000", "CHF", "650000"),
        risk: ("Resistencia al cambio en frontera", 4, 3),
        portfolio: ("MODERN", &[("es", "Modernización aduanera"), ("en", "Customs modernisation")]),
        stakeholder: (&[("es", "Cámara Nacional de Exportadores de Bolivia (CANEB)")], "private_sector", "consulted"),
    },
    ProjectSpec {
        administration: "COL",
        code: "P-OEA",
        title: &[("es", "Ampliación del programa OEA a pymes"), ("en", "AEO programme extended to small firms")],
        dates: ("2024-01-15", "2026-06-30"),
        budget: ("1800000000", "COP"),
        milestones: &[("Guía de validación para pymes", "2024-06-30", Some("2024-06-20")), ("100 pymes certificadas", "2025-12-31", Some("2025-11-28"))],
        funding: ("WCO", "250000", "EUR", "120000"),
        risk: ("Capacidad de auditoría insuficiente", 3, 3),
        portfolio: ("FACILITA", &[("es", "Facilitación del comercio"), ("en", "Trade facilitation")]),
        stakeholder: (&[("es", "Asociación Nacional de Comercio Exterior (ANALDEX)")], "private_sector", "beneficiary"),
    },
    ProjectSpec {
        administration: "UKR",
        code: "P-NCTS",
        title: &[("uk", "Запуск NCTS фази 5"), ("en", "NCTS phase 5 roll-out")],
        dates: ("2024-04-01", "2026-09-30"),
        budget: ("95000000", "UAH"),
        milestones: &[("Тестування з ЄС", "2025-04-30", Some("2025-05-20")), ("Промислова експлуатація", "2026-03-31", None)],
        funding: ("SECO", "900000", "CHF", "300000"),
        risk: ("Перебої електропостачання", 3, 5),
        portfolio: ("EU-INTEG", &[("uk", "Інтеграція до ЄС"), ("en", "EU integration")]),
        stakeholder: (&[("uk", "Державна прикордонна служба України"), ("en", "State Border Guard Service of Ukraine")], "government_agency", "involved"),
    },
    ProjectSpec {
        administration: "BGD",
        code: "P-ASY",
        title: &[("bn", "অ্যাসাইকুডা ওয়ার্ল্ড হালনাগাদ ও ই-পেমেন্ট"), ("en", "ASYCUDA World upgrade and e-payment")],
        dates: ("2024-07-01", "2027-06-30"),
        budget: ("1200000000", "BDT"),
        milestones: &[("ই-পেমেন্ট চালু", "2025-06-30", Some("2025-08-14")), ("চট্টগ্রামে ঝুঁকি ব্যবস্থাপনা মডিউল", "2026-06-30", None)],
        funding: ("WCO", "300000", "EUR", "90000"),
        risk: ("স্থলবন্দরে নেটওয়ার্ক বিভ্রাট", 3, 4),
        portfolio: ("DIGITAL", &[("bn", "ডিজিটাল কাস্টমস"), ("en", "Digital Customs")]),
        stakeholder: (&[("en", "Bangladesh Freight Forwarders Association")], "private_sector", "consulted"),
    },
    ProjectSpec {
        administration: "GTM",
        code: "P-DUCA",
        title: &[("es", "Declaración Única Centroamericana electrónica"), ("en", "Electronic Central American Single Declaration")],
        dates: ("2024-02-01", "2026-12-31"),
        budget: ("18000000", "GTQ"),
        milestones: &[("Interconexión con El Salvador", "2025-03-31", Some("2025-04-30")), ("Declaración en línea en todas las aduanas", "2026-09-30", None)],
        funding: ("SECO", "600000", "CHF", "200000"),
        risk: ("Retraso en la interconexión regional", 3, 4),
        portfolio: ("INTEGRA", &[("es", "Integración regional"), ("en", "Regional integration")]),
        stakeholder: (&[("es", "Cámara de Comercio de Guatemala")], "private_sector", "consulted"),
    },
    ProjectSpec {
        administration: "PER",
        code: "P-VUCE2",
        title: &[("es", "VUCE 2.0: ventanilla única de comercio exterior"), ("en", "VUCE 2.0 foreign trade single window")],
        dates: ("2023-06-01", "2026-12-31"),
        budget: ("35000000", "PEN"),
        milestones: &[("Módulo de servicios portuarios", "2024-12-31", Some("2024-12-16")), ("Integración de 20 entidades", "2026-06-30", None)],
        funding: ("SECO", "1100000", "CHF", "500000"),
        risk: ("Coordinación interinstitucional débil", 3, 3),
        portfolio: ("FACILITA", &[("es", "Facilitación del comercio"), ("en", "Trade facilitation")]),
        stakeholder: (
            &[("es", "Ministerio de Comercio Exterior y Turismo (MINCETUR)"), ("en", "Ministry of Foreign Trade and Tourism")],
            "government_agency",
            "owner",
        ),
    },
    ProjectSpec {
        administration: "UZB",
        code: "P-SW",
        title: &[("uz", "Eksport va import uchun yagona darcha"), ("ru", "Единое окно для экспорта и импорта"), ("en", "Single window for export and import")],
        dates: ("2024-01-01", "2026-12-31"),
        budget: ("150000000000", "UZS"),
        milestones: &[("Elektron kelib chiqish sertifikatlari", "2025-06-30", Some("2025-06-25")), ("Auditdan keyingi nazorat moduli", "2026-10-31", None)],
        funding: ("WCO", "200000", "EUR", "50000"),
        risk: ("Idoralararo ma'lumot almashinuvi sekin", 3, 3),
        portfolio: ("MODERN", &[("uz", "Bojxonani modernizatsiya qilish"), ("en", "Customs modernisation")]),
        stakeholder: (
            &[("ru", "Торгово-промышленная палата Узбекистана"), ("en", "Chamber of Commerce and Industry of Uzbekistan")],
            "private_sector",
            "consulted",
        ),
    },
];

fn pairs(texts: &[(&str, &str)]) -> Vec<(String, String)> {
    texts.iter().map(|(l, t)| ((*l).to_owned(), (*t).to_owned())).collect()
}

/// Loads the assessments and practices; returns how many of each were added.
///
/// # Errors
/// The first error a use case answers.
pub async fn load(services: &Services, admin: &Principal) -> Result<(usize, usize), DomainError> {
    for (code, name) in DONORS {
        services.donors.ensure(admin, &DonorInput { code: Some((*code).to_owned()), name: Some(pairs(name)), iati_org_id: None }).await?;
    }
    let mut assessments = 0;
    for spec in ASSESSMENTS {
        let code = AdministrationCode::parse(spec.administration)?;
        if !services.assessments.list(admin, Some(code), &PageRequest::first(1)).await?.items.is_empty() {
            continue;
        }
        for (date, levels) in [("2022-02-08", spec.levels[0]), ("2025-06-30", spec.levels[1])] {
            let input = AssessmentInput {
                assessed_on: Some(date.to_owned()),
                maturity: Some(DIMENSIONS.iter().zip(levels).map(|(d, l)| ((*d).to_owned(), l)).collect()),
                staff: Some(Some(spec.staff)),
                annual_budget_amount: Some(Some(spec.budget.0.to_owned())),
                annual_budget_currency: Some(Some(spec.budget.1.to_owned())),
                notes: None,
            };
            services.assessments.create(admin, Some(spec.administration), &input).await?;
            assessments += 1;
        }
    }
    for spec in PROJECTS {
        load_project(services, admin, spec).await?;
    }
    let mut practices = 0;
    for spec in PRACTICES {
        let query = PracticeQuery { administration: Some(spec.administration.to_owned()), ..PracticeQuery::default() };
        if !services.practices.list(admin, &query, &PageRequest::first(1)).await?.items.is_empty() {
            continue;
        }
        let input = PracticeInput {
            kind: Some(spec.kind.to_owned()),
            title: Some(pairs(spec.title)),
            body: Some(pairs(spec.body)),
            tags: Some(spec.tags.iter().map(|t| (*t).to_owned()).collect()),
            objective_ids: None,
            // Best practices are shared with everyone; the rest stays within the Programme.
            disclosure: Some(if spec.kind == "best_practice" { "public" } else { "programme" }.to_owned()),
        };
        let practice = services.practices.create(admin, Some(spec.administration), &input).await?;
        services.practices.transition(admin, practice.id, PracticeStatus::Published, None).await?;
        practices += 1;
    }
    Ok((assessments, practices))
}

/// Enters a project under the administration's first objective, in its portfolio, with its
/// milestones, a funding with one disbursement, its main risk and an engaged stakeholder, unless
/// the administration has projects.
async fn load_project(services: &Services, admin: &Principal, spec: &ProjectSpec) -> Result<(), DomainError> {
    let code = AdministrationCode::parse(spec.administration)?;
    if !services.projects.list(admin, Some(code), None, None, &PageRequest::first(1)).await?.items.is_empty() {
        return Ok(());
    }
    let Some(plan) = services.plans.list(admin, Some(code), None, &PageRequest::first(1)).await?.items.into_iter().next() else {
        return Ok(());
    };
    let Some(objective) = services.objectives.list(admin, plan.id, &PageRequest::first(1)).await?.items.into_iter().next() else {
        return Ok(());
    };
    let (portfolio_code, portfolio_title) = spec.portfolio;
    let portfolio = services
        .portfolios
        .create(
            admin,
            Some(spec.administration),
            &PortfolioInput { code: Some(portfolio_code.to_owned()), title: Some(pairs(portfolio_title)), description: None },
        )
        .await?;
    let input = ProjectInput {
        code: Some(spec.code.to_owned()),
        title: Some(pairs(spec.title)),
        description: None,
        planned_start: Some(spec.dates.0.to_owned()),
        planned_end: Some(spec.dates.1.to_owned()),
        budget_amount: Some(Some(spec.budget.0.to_owned())),
        budget_currency: Some(Some(spec.budget.1.to_owned())),
        objective_ids: Some(vec![objective.id.to_string()]),
        portfolio_id: Some(Some(portfolio.id.to_string())),
        external_ref: None,
    };
    let project = services.projects.create(admin, Some(spec.administration), &input).await?;
    for to in [ProjectStatus::Approved, ProjectStatus::InProgress] {
        services.projects.transition(admin, project.id, to, None).await?;
    }
    for (title, due, done) in spec.milestones {
        let language = spec.title[0].0;
        let input = MilestoneInput {
            title: Some(vec![(language.to_owned(), (*title).to_owned())]),
            due_on: Some((*due).to_owned()),
            completed_on: Some(done.map(str::to_owned)),
        };
        services.projects.add_milestone(admin, project.id, &input).await?;
    }
    let (donor, committed, currency, disbursed) = spec.funding;
    let funding = services
        .fundings
        .commit(
            admin,
            project.id,
            &FundingInput {
                donor: Some(donor.to_owned()),
                committed_amount: Some(committed.to_owned()),
                currency: Some(currency.to_owned()),
                allow_over_disbursement: None,
            },
        )
        .await?;
    let disbursement =
        TransactionInput { kind: Some("disbursement".to_owned()), date: Some(spec.dates.0.to_owned()), amount: Some(disbursed.to_owned()), description: None };
    services.fundings.record(admin, funding.id, &disbursement).await?;
    let (risk, likelihood, impact) = spec.risk;
    let risk_input = RiskInput {
        title: Some(vec![(spec.title[0].0.to_owned(), risk.to_owned())]),
        likelihood: Some(likelihood),
        impact: Some(impact),
        ..RiskInput::default()
    };
    services.risks.add(admin, RiskSubject::Project(project.id), &risk_input).await?;
    let (name, kind, role) = spec.stakeholder;
    let stakeholder = services
        .stakeholders
        .create(admin, Some(spec.administration), &StakeholderInput { name: Some(pairs(name)), kind: Some(kind.to_owned()), contact: None })
        .await?;
    let role = EngagementRole::parse(role).map_err(DomainError::from)?;
    services.stakeholders.engage(admin, stakeholder.id, EngagementSubject::Project(project.id), role).await?;
    Ok(())
}
