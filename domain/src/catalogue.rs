//! The built-in catalogue of standard Customs KPIs.
//!
//! Every installation starts with these [`IndicatorDefinition`]s, grouped by the four dimensions
//! of the WCO Performance Measurement Mechanism (PMM): trade facilitation and economic
//! competitiveness; revenue collection; enforcement, security and protection of society; and
//! organisational development. They follow the indicators of the PMM, of the WCO Time Release
//! Study and of the monitoring of the WTO Trade Facilitation Agreement, so that administrations
//! that adopt them compare like with like.
//!
//! Names are given in English, French, Spanish and Russian; descriptions say in one sentence what
//! is measured and how.
//!
//! Ids and codes are stable: ids are stored in databases and codes are quoted in plans, so an
//! entry's id and code must never change between releases. New entries take a new id: the last
//! byte of each id groups entries by dimension (`0x01..` trade facilitation, `0x11..` revenue
//! collection, `0x21..` enforcement, `0x31..` organisational development), leaving room to add
//! entries to any dimension.

use uuid::Uuid;

use crate::{
    ids::IndicatorDefinitionId,
    indicator::{Direction, IndicatorDefinition, Measure, PmmDimension},
    plan::{NARRATIVE_MAX, TITLE_MAX},
    text::{LanguageTag, LocalizedText},
};

/// One row of the built-in catalogue, as static data.
struct Entry {
    id: u128,
    code: &'static str,
    dimension: PmmDimension,
    measure: Measure,
    direction: Direction,
    unit: Option<&'static str>,
    name: &'static [(&'static str, &'static str)],
    description: &'static [(&'static str, &'static str)],
}

const PERCENT: Option<&str> = Some("%");

const ENTRIES: &[Entry] = &[
    // ---------------------------------------------------------------- Trade facilitation
    Entry {
        id: 0x0193_0000_0000_7000_8000_0000_0000_0001,
        code: "TF-RELEASE-TIME",
        dimension: PmmDimension::TradeFacilitation,
        measure: Measure::DurationHours,
        direction: Direction::Decrease,
        unit: Some("hours"),
        name: &[
            ("en", "Average release time"),
            ("es", "Tiempo promedio de levante"),
            ("fr", "Délai moyen de mainlevée"),
            ("ru", "Среднее время выпуска товаров"),
        ],
        description: &[
            (
                "en",
                "Average time in hours between the lodgement of the goods declaration and the release of the goods, as measured by the clearance system or a Time Release Study.",
            ),
            (
                "es",
                "Tiempo promedio, en horas, entre la presentación de la declaración de mercancías y el levante de las mercancías, medido por el sistema de despacho o por un Estudio de Tiempo de Despacho.",
            ),
            (
                "fr",
                "Délai moyen, en heures, entre le dépôt de la déclaration de marchandises et la mainlevée des marchandises, mesuré par le système de dédouanement ou par une Étude sur le temps nécessaire pour la mainlevée.",
            ),
            (
                "ru",
                "Среднее время в часах между подачей декларации на товары и выпуском товаров, измеряемое по данным системы таможенного оформления или в ходе исследования времени выпуска товаров.",
            ),
        ],
    },
    Entry {
        id: 0x0193_0000_0000_7000_8000_0000_0000_0002,
        code: "TF-ELECTRONIC-DECLARATIONS",
        dimension: PmmDimension::TradeFacilitation,
        measure: Measure::Percentage,
        direction: Direction::Increase,
        unit: PERCENT,
        name: &[
            ("en", "Share of electronic declarations"),
            ("es", "Porcentaje de declaraciones electrónicas"),
            ("fr", "Part des déclarations électroniques"),
            ("ru", "Доля электронных деклараций"),
        ],
        description: &[
            ("en", "Percentage of goods declarations lodged electronically, out of all goods declarations lodged in the period."),
            (
                "es",
                "Porcentaje de declaraciones de mercancías presentadas electrónicamente sobre el total de declaraciones de mercancías presentadas en el período.",
            ),
            (
                "fr",
                "Pourcentage des déclarations de marchandises déposées par voie électronique par rapport à l'ensemble des déclarations de marchandises déposées au cours de la période.",
            ),
            ("ru", "Процент деклараций на товары, поданных в электронной форме, от общего числа деклараций на товары, поданных за период."),
        ],
    },
    Entry {
        id: 0x0193_0000_0000_7000_8000_0000_0000_0003,
        code: "TF-GREEN-LANE",
        dimension: PmmDimension::TradeFacilitation,
        measure: Measure::Percentage,
        direction: Direction::Increase,
        unit: PERCENT,
        name: &[
            ("en", "Share of declarations in the green lane"),
            ("es", "Porcentaje de declaraciones en canal verde"),
            ("fr", "Part des déclarations en circuit vert"),
            ("ru", "Доля деклараций в «зелёном коридоре»"),
        ],
        description: &[
            (
                "en",
                "Percentage of goods declarations that the risk management system directed to the green lane (release without documentary check or physical inspection), out of all goods declarations processed in the period.",
            ),
            (
                "es",
                "Porcentaje de declaraciones de mercancías que el sistema de gestión de riesgos asignó al canal verde (levante sin revisión documental ni reconocimiento físico) sobre el total de declaraciones tramitadas en el período.",
            ),
            (
                "fr",
                "Pourcentage des déclarations de marchandises orientées par le système de gestion des risques vers le circuit vert (mainlevée sans contrôle documentaire ni contrôle physique), par rapport à l'ensemble des déclarations traitées au cours de la période.",
            ),
            (
                "ru",
                "Процент деклараций на товары, направленных системой управления рисками в «зелёный коридор» (выпуск без документального контроля и физического досмотра), от общего числа деклараций, обработанных за период.",
            ),
        ],
    },
    Entry {
        id: 0x0193_0000_0000_7000_8000_0000_0000_0004,
        code: "TF-PHYSICAL-INSPECTION-RATE",
        dimension: PmmDimension::TradeFacilitation,
        measure: Measure::Percentage,
        direction: Direction::Decrease,
        unit: PERCENT,
        name: &[
            ("en", "Physical inspection rate"),
            ("es", "Tasa de reconocimiento físico"),
            ("fr", "Taux de contrôle physique"),
            ("ru", "Доля деклараций с физическим досмотром"),
        ],
        description: &[
            ("en", "Percentage of goods declarations whose goods were physically inspected, out of all goods declarations processed in the period."),
            (
                "es",
                "Porcentaje de declaraciones de mercancías cuyas mercancías fueron objeto de reconocimiento físico sobre el total de declaraciones tramitadas en el período.",
            ),
            (
                "fr",
                "Pourcentage des déclarations de marchandises dont les marchandises ont fait l'objet d'un contrôle physique, par rapport à l'ensemble des déclarations traitées au cours de la période.",
            ),
            ("ru", "Процент деклараций на товары, по которым проводился физический досмотр товаров, от общего числа деклараций, обработанных за период."),
        ],
    },
    Entry {
        id: 0x0193_0000_0000_7000_8000_0000_0000_0005,
        code: "TF-AEO-TRADE-SHARE",
        dimension: PmmDimension::TradeFacilitation,
        measure: Measure::Percentage,
        direction: Direction::Increase,
        unit: PERCENT,
        name: &[
            ("en", "AEO share of trade value"),
            ("es", "Participación de los OEA en el valor del comercio"),
            ("fr", "Part des OEA dans la valeur des échanges"),
            ("ru", "Доля УЭО в стоимости внешней торговли"),
        ],
        description: &[
            (
                "en",
                "Percentage of the declared value of imports and exports accounted for by Authorized Economic Operators, out of the total value declared in the period.",
            ),
            (
                "es",
                "Porcentaje del valor declarado de las importaciones y exportaciones correspondiente a Operadores Económicos Autorizados sobre el valor total declarado en el período.",
            ),
            (
                "fr",
                "Pourcentage de la valeur déclarée des importations et des exportations correspondant aux opérateurs économiques agréés, par rapport à la valeur totale déclarée au cours de la période.",
            ),
            (
                "ru",
                "Процент заявленной стоимости импорта и экспорта, приходящийся на уполномоченных экономических операторов, от общей заявленной стоимости за период.",
            ),
        ],
    },
    Entry {
        id: 0x0193_0000_0000_7000_8000_0000_0000_0006,
        code: "TF-PRE-ARRIVAL-PROCESSING",
        dimension: PmmDimension::TradeFacilitation,
        measure: Measure::Percentage,
        direction: Direction::Increase,
        unit: PERCENT,
        name: &[
            ("en", "Share of declarations processed before arrival"),
            ("es", "Porcentaje de declaraciones tramitadas antes de la llegada"),
            ("fr", "Part des déclarations traitées avant l'arrivée"),
            ("ru", "Доля деклараций, обработанных до прибытия товаров"),
        ],
        description: &[
            (
                "en",
                "Percentage of import goods declarations lodged and processed before the arrival of the goods, as provided for by Article 7.1 of the WTO Trade Facilitation Agreement, out of all import declarations in the period.",
            ),
            (
                "es",
                "Porcentaje de declaraciones de importación presentadas y tramitadas antes de la llegada de las mercancías, conforme al artículo 7.1 del Acuerdo sobre Facilitación del Comercio de la OMC, sobre el total de declaraciones de importación del período.",
            ),
            (
                "fr",
                "Pourcentage des déclarations d'importation déposées et traitées avant l'arrivée des marchandises, conformément à l'article 7.1 de l'Accord de l'OMC sur la facilitation des échanges, par rapport à l'ensemble des déclarations d'importation de la période.",
            ),
            (
                "ru",
                "Процент деклараций на ввозимые товары, поданных и обработанных до прибытия товаров в соответствии со статьёй 7.1 Соглашения ВТО об упрощении процедур торговли, от общего числа импортных деклараций за период.",
            ),
        ],
    },
    Entry {
        id: 0x0193_0000_0000_7000_8000_0000_0000_0007,
        code: "TF-SINGLE-WINDOW-COVERAGE",
        dimension: PmmDimension::TradeFacilitation,
        measure: Measure::Percentage,
        direction: Direction::Increase,
        unit: PERCENT,
        name: &[
            ("en", "Single window coverage"),
            ("es", "Cobertura de la ventanilla única"),
            ("fr", "Couverture du guichet unique"),
            ("ru", "Охват системы «единого окна»"),
        ],
        description: &[
            (
                "en",
                "Percentage of the permits, licences and certificates required for import, export and transit that can be applied for and issued through the national single window.",
            ),
            (
                "es",
                "Porcentaje de los permisos, licencias y certificados exigidos para la importación, la exportación y el tránsito que pueden solicitarse y expedirse a través de la ventanilla única nacional.",
            ),
            (
                "fr",
                "Pourcentage des permis, licences et certificats requis à l'importation, à l'exportation et en transit qui peuvent être demandés et délivrés par l'intermédiaire du guichet unique national.",
            ),
            (
                "ru",
                "Процент разрешений, лицензий и сертификатов, требуемых для импорта, экспорта и транзита, которые можно запросить и получить через национальное «единое окно».",
            ),
        ],
    },
    // ---------------------------------------------------------------- Revenue collection
    Entry {
        id: 0x0193_0000_0000_7000_8000_0000_0000_0011,
        code: "RC-REVENUE-AGAINST-TARGET",
        dimension: PmmDimension::RevenueCollection,
        measure: Measure::Percentage,
        direction: Direction::Increase,
        unit: PERCENT,
        name: &[
            ("en", "Revenue collected against target"),
            ("es", "Recaudación frente a la meta"),
            ("fr", "Recettes perçues par rapport à l'objectif"),
            ("ru", "Выполнение плана по таможенным доходам"),
        ],
        description: &[
            ("en", "Duties and taxes collected by Customs in the period as a percentage of the revenue target set for that period."),
            ("es", "Derechos e impuestos recaudados por la Aduana en el período, como porcentaje de la meta de recaudación fijada para ese período."),
            ("fr", "Droits et taxes perçus par la douane au cours de la période, en pourcentage de l'objectif de recettes fixé pour cette période."),
            ("ru", "Таможенные пошлины и налоги, взысканные таможней за период, в процентах от плановых показателей доходов на этот период."),
        ],
    },
    Entry {
        id: 0x0193_0000_0000_7000_8000_0000_0000_0012,
        code: "RC-COLLECTION-COST",
        dimension: PmmDimension::RevenueCollection,
        measure: Measure::Percentage,
        direction: Direction::Decrease,
        unit: PERCENT,
        name: &[
            ("en", "Cost of revenue collection"),
            ("es", "Costo de la recaudación"),
            ("fr", "Coût de perception des recettes"),
            ("ru", "Стоимость администрирования таможенных доходов"),
        ],
        description: &[
            ("en", "Operating expenditure of the Customs administration in the period as a percentage of the revenue it collected in that period."),
            ("es", "Gasto operativo de la administración aduanera en el período como porcentaje de la recaudación obtenida en ese período."),
            (
                "fr",
                "Dépenses de fonctionnement de l'administration des douanes au cours de la période, en pourcentage des recettes qu'elle a perçues au cours de cette période.",
            ),
            ("ru", "Операционные расходы таможенной администрации за период в процентах от суммы доходов, взысканных ею за тот же период."),
        ],
    },
    Entry {
        id: 0x0193_0000_0000_7000_8000_0000_0000_0013,
        code: "RC-TAX-REVENUE-SHARE",
        dimension: PmmDimension::RevenueCollection,
        measure: Measure::Percentage,
        // A context indicator: tariff reductions lower it, so neither way is better by itself.
        direction: Direction::Maintain,
        unit: PERCENT,
        name: &[
            ("en", "Customs revenue as share of tax revenue"),
            ("es", "Participación de la recaudación aduanera en los ingresos tributarios"),
            ("fr", "Part des recettes douanières dans les recettes fiscales"),
            ("ru", "Доля таможенных доходов в налоговых доходах"),
        ],
        description: &[
            ("en", "Duties and taxes collected by Customs as a percentage of the total tax revenue of the State in the period."),
            ("es", "Derechos e impuestos recaudados por la Aduana como porcentaje de los ingresos tributarios totales del Estado en el período."),
            ("fr", "Droits et taxes perçus par la douane, en pourcentage des recettes fiscales totales de l'État au cours de la période."),
            ("ru", "Таможенные пошлины и налоги, взысканные таможней, в процентах от общего объёма налоговых доходов государства за период."),
        ],
    },
    Entry {
        id: 0x0193_0000_0000_7000_8000_0000_0000_0014,
        code: "RC-ELECTRONIC-PAYMENT",
        dimension: PmmDimension::RevenueCollection,
        measure: Measure::Percentage,
        direction: Direction::Increase,
        unit: PERCENT,
        name: &[
            ("en", "Share of revenue paid electronically"),
            ("es", "Porcentaje de la recaudación pagada electrónicamente"),
            ("fr", "Part des recettes payées par voie électronique"),
            ("ru", "Доля платежей, уплаченных в электронной форме"),
        ],
        description: &[
            (
                "en",
                "Percentage of the duties and taxes collected in the period that were paid by electronic means, as provided for by Article 7.2 of the WTO Trade Facilitation Agreement.",
            ),
            (
                "es",
                "Porcentaje de los derechos e impuestos recaudados en el período que se pagaron por medios electrónicos, conforme al artículo 7.2 del Acuerdo sobre Facilitación del Comercio de la OMC.",
            ),
            (
                "fr",
                "Pourcentage des droits et taxes perçus au cours de la période qui ont été payés par voie électronique, conformément à l'article 7.2 de l'Accord de l'OMC sur la facilitation des échanges.",
            ),
            (
                "ru",
                "Процент таможенных пошлин и налогов, взысканных за период, которые были уплачены электронным способом в соответствии со статьёй 7.2 Соглашения ВТО об упрощении процедур торговли.",
            ),
        ],
    },
    Entry {
        id: 0x0193_0000_0000_7000_8000_0000_0000_0015,
        code: "RC-PCA-YIELD",
        dimension: PmmDimension::RevenueCollection,
        measure: Measure::Percentage,
        direction: Direction::Increase,
        unit: PERCENT,
        name: &[
            ("en", "Post-clearance audit yield"),
            ("es", "Rendimiento de la auditoría posterior al despacho"),
            ("fr", "Rendement du contrôle a posteriori"),
            ("ru", "Доначисления по результатам контроля после выпуска товаров"),
        ],
        description: &[
            (
                "en",
                "Additional duties, taxes and penalties assessed as a result of post-clearance audits, as a percentage of the total revenue collected by Customs in the period.",
            ),
            (
                "es",
                "Derechos, impuestos y multas adicionales determinados como resultado de las auditorías posteriores al despacho, como porcentaje de la recaudación aduanera total del período.",
            ),
            (
                "fr",
                "Droits, taxes et pénalités supplémentaires établis à la suite des contrôles a posteriori, en pourcentage du total des recettes perçues par la douane au cours de la période.",
            ),
            (
                "ru",
                "Дополнительно начисленные таможенные пошлины, налоги и штрафы по результатам таможенного контроля после выпуска товаров в процентах от общей суммы доходов, взысканных таможней за период.",
            ),
        ],
    },
    Entry {
        id: 0x0193_0000_0000_7000_8000_0000_0000_0016,
        code: "RC-ARREARS",
        dimension: PmmDimension::RevenueCollection,
        measure: Measure::Percentage,
        direction: Direction::Decrease,
        unit: PERCENT,
        name: &[("en", "Revenue arrears"), ("es", "Deuda aduanera en mora"), ("fr", "Arriérés de recettes"), ("ru", "Задолженность по таможенным платежам")],
        description: &[
            (
                "en",
                "Duties and taxes assessed but still unpaid after their due date at the end of the period, as a percentage of the revenue collected in the period.",
            ),
            ("es", "Derechos e impuestos determinados y no pagados a su vencimiento al cierre del período, como porcentaje de la recaudación del período."),
            (
                "fr",
                "Droits et taxes liquidés mais toujours impayés après leur échéance à la fin de la période, en pourcentage des recettes perçues au cours de la période.",
            ),
            (
                "ru",
                "Начисленные, но не уплаченные в установленный срок таможенные пошлины и налоги на конец периода в процентах от доходов, взысканных за период.",
            ),
        ],
    },
    // ---------------------------------------------------------------- Enforcement
    Entry {
        id: 0x0193_0000_0000_7000_8000_0000_0000_0021,
        code: "EN-INSPECTION-HIT-RATE",
        dimension: PmmDimension::Enforcement,
        measure: Measure::Percentage,
        direction: Direction::Increase,
        unit: PERCENT,
        name: &[
            ("en", "Inspection hit rate"),
            ("es", "Tasa de acierto de los reconocimientos físicos"),
            ("fr", "Taux de contrôles physiques positifs"),
            ("ru", "Результативность физических досмотров"),
        ],
        description: &[
            ("en", "Percentage of physical inspections that found an offence or an irregularity, out of all physical inspections carried out in the period."),
            (
                "es",
                "Porcentaje de reconocimientos físicos que detectaron una infracción o una irregularidad sobre el total de reconocimientos físicos realizados en el período.",
            ),
            (
                "fr",
                "Pourcentage des contrôles physiques ayant permis de constater une infraction ou une irrégularité, par rapport à l'ensemble des contrôles physiques effectués au cours de la période.",
            ),
            (
                "ru",
                "Процент физических досмотров, в ходе которых выявлено правонарушение или несоответствие, от общего числа физических досмотров, проведённых за период.",
            ),
        ],
    },
    Entry {
        id: 0x0193_0000_0000_7000_8000_0000_0000_0022,
        code: "EN-RISK-PROFILE-SEIZURES",
        dimension: PmmDimension::Enforcement,
        measure: Measure::Percentage,
        direction: Direction::Increase,
        unit: PERCENT,
        name: &[
            ("en", "Seizures following risk-profile selection"),
            ("es", "Incautaciones derivadas de perfiles de riesgo"),
            ("fr", "Saisies issues du ciblage par profil de risque"),
            ("ru", "Изъятия по результатам отбора по профилям риска"),
        ],
        description: &[
            ("en", "Percentage of seizures made on consignments selected for control by a risk profile, out of all seizures made in the period."),
            (
                "es",
                "Porcentaje de las incautaciones realizadas en envíos seleccionados para control por un perfil de riesgo sobre el total de incautaciones del período.",
            ),
            (
                "fr",
                "Pourcentage des saisies effectuées sur des envois sélectionnés pour contrôle par un profil de risque, par rapport à l'ensemble des saisies de la période.",
            ),
            ("ru", "Процент изъятий, произведённых в отношении партий товаров, отобранных для контроля по профилю риска, от общего числа изъятий за период."),
        ],
    },
    Entry {
        id: 0x0193_0000_0000_7000_8000_0000_0000_0023,
        code: "EN-PCA-HIT-RATE",
        dimension: PmmDimension::Enforcement,
        measure: Measure::Percentage,
        direction: Direction::Increase,
        unit: PERCENT,
        name: &[
            ("en", "Post-clearance audit hit rate"),
            ("es", "Tasa de efectividad de la auditoría posterior al despacho"),
            ("fr", "Taux de contrôles a posteriori positifs"),
            ("ru", "Результативность контроля после выпуска товаров"),
        ],
        description: &[
            (
                "en",
                "Percentage of post-clearance audits that resulted in an adjustment of duties and taxes or a penalty, out of all post-clearance audits completed in the period.",
            ),
            (
                "es",
                "Porcentaje de auditorías posteriores al despacho que dieron lugar a un ajuste de derechos e impuestos o a una sanción sobre el total de auditorías concluidas en el período.",
            ),
            (
                "fr",
                "Pourcentage des contrôles a posteriori ayant donné lieu à un redressement des droits et taxes ou à une pénalité, par rapport à l'ensemble des contrôles a posteriori achevés au cours de la période.",
            ),
            (
                "ru",
                "Процент проверок после выпуска товаров, по итогам которых доначислены таможенные пошлины и налоги или наложен штраф, от общего числа проверок, завершённых за период.",
            ),
        ],
    },
    Entry {
        id: 0x0193_0000_0000_7000_8000_0000_0000_0024,
        code: "EN-PROHIBITED-GOODS-SEIZURES",
        dimension: PmmDimension::Enforcement,
        measure: Measure::Unit,
        direction: Direction::Increase,
        unit: Some("cases"),
        name: &[
            ("en", "Seizures of prohibited and restricted goods"),
            ("es", "Incautaciones de mercancías prohibidas y restringidas"),
            ("fr", "Saisies de marchandises prohibées et soumises à restrictions"),
            ("ru", "Изъятия запрещённых и ограниченных к перемещению товаров"),
        ],
        description: &[
            (
                "en",
                "Number of seizure cases of drugs, weapons, counterfeit goods, protected species and other prohibited or restricted goods recorded in the period.",
            ),
            (
                "es",
                "Número de casos de incautación de drogas, armas, mercancías falsificadas, especies protegidas y otras mercancías prohibidas o restringidas registrados en el período.",
            ),
            (
                "fr",
                "Nombre de saisies de stupéfiants, d'armes, de contrefaçons, d'espèces protégées et d'autres marchandises prohibées ou soumises à restrictions enregistrées au cours de la période.",
            ),
            (
                "ru",
                "Количество случаев изъятия наркотиков, оружия, контрафактных товаров, охраняемых видов фауны и флоры и других запрещённых или ограниченных к перемещению товаров, зарегистрированных за период.",
            ),
        ],
    },
    Entry {
        id: 0x0193_0000_0000_7000_8000_0000_0000_0025,
        code: "EN-MUTUAL-ASSISTANCE",
        dimension: PmmDimension::Enforcement,
        measure: Measure::Percentage,
        direction: Direction::Increase,
        unit: PERCENT,
        name: &[
            ("en", "Mutual assistance requests answered on time"),
            ("es", "Solicitudes de asistencia mutua respondidas a tiempo"),
            ("fr", "Demandes d'assistance mutuelle traitées dans les délais"),
            ("ru", "Запросы о взаимной помощи, исполненные в срок"),
        ],
        description: &[
            (
                "en",
                "Percentage of requests for mutual administrative assistance from foreign Customs administrations answered within the agreed time limit, out of all such requests due in the period.",
            ),
            (
                "es",
                "Porcentaje de solicitudes de asistencia administrativa mutua de administraciones aduaneras extranjeras respondidas dentro del plazo acordado sobre el total de solicitudes con vencimiento en el período.",
            ),
            (
                "fr",
                "Pourcentage des demandes d'assistance administrative mutuelle émanant d'administrations douanières étrangères auxquelles il a été répondu dans le délai convenu, par rapport à l'ensemble des demandes arrivées à échéance au cours de la période.",
            ),
            (
                "ru",
                "Процент запросов иностранных таможенных администраций о взаимной административной помощи, исполненных в согласованный срок, от общего числа запросов, срок исполнения которых истёк за период.",
            ),
        ],
    },
    // ---------------------------------------------------------------- Organisational development
    Entry {
        id: 0x0193_0000_0000_7000_8000_0000_0000_0031,
        code: "OD-INTEGRITY-TRAINING",
        dimension: PmmDimension::OrganisationalDevelopment,
        measure: Measure::Percentage,
        direction: Direction::Increase,
        unit: PERCENT,
        name: &[
            ("en", "Staff trained in integrity"),
            ("es", "Personal capacitado en integridad"),
            ("fr", "Personnel formé à l'éthique"),
            ("ru", "Доля сотрудников, прошедших антикоррупционное обучение"),
        ],
        description: &[
            ("en", "Percentage of Customs staff who completed integrity or anti-corruption training in the period, out of total staff."),
            (
                "es",
                "Porcentaje del personal aduanero que completó una capacitación en integridad o lucha contra la corrupción en el período, sobre el total del personal.",
            ),
            (
                "fr",
                "Pourcentage des agents des douanes ayant suivi une formation à l'éthique ou à la lutte contre la corruption au cours de la période, par rapport à l'effectif total.",
            ),
            (
                "ru",
                "Процент сотрудников таможни, прошедших обучение по вопросам добросовестности или противодействия коррупции за период, от общей численности персонала.",
            ),
        ],
    },
    Entry {
        id: 0x0193_0000_0000_7000_8000_0000_0000_0032,
        code: "OD-STAFF-TURNOVER",
        dimension: PmmDimension::OrganisationalDevelopment,
        measure: Measure::Percentage,
        direction: Direction::Decrease,
        unit: PERCENT,
        name: &[("en", "Staff turnover"), ("es", "Rotación de personal"), ("fr", "Taux de rotation du personnel"), ("ru", "Текучесть кадров")],
        description: &[
            ("en", "Number of staff who left the Customs administration in the period as a percentage of the average number of staff in that period."),
            ("es", "Número de funcionarios que dejaron la administración aduanera en el período como porcentaje de la plantilla promedio de ese período."),
            ("fr", "Nombre d'agents ayant quitté l'administration des douanes au cours de la période, en pourcentage de l'effectif moyen de cette période."),
            (
                "ru",
                "Число сотрудников, уволившихся из таможенной администрации за период, в процентах от среднесписочной численности персонала за тот же период.",
            ),
        ],
    },
    Entry {
        id: 0x0193_0000_0000_7000_8000_0000_0000_0033,
        code: "OD-PERFORMANCE-APPRAISAL",
        dimension: PmmDimension::OrganisationalDevelopment,
        measure: Measure::Percentage,
        direction: Direction::Increase,
        unit: PERCENT,
        name: &[
            ("en", "Staff with a performance appraisal"),
            ("es", "Personal con evaluación del desempeño"),
            ("fr", "Personnel ayant fait l'objet d'une évaluation des performances"),
            ("ru", "Доля сотрудников, прошедших оценку результатов работы"),
        ],
        description: &[
            ("en", "Percentage of Customs staff whose performance was formally appraised in the period, out of total staff."),
            ("es", "Porcentaje del personal aduanero cuyo desempeño fue evaluado formalmente en el período, sobre el total del personal."),
            (
                "fr",
                "Pourcentage des agents des douanes dont les performances ont été formellement évaluées au cours de la période, par rapport à l'effectif total.",
            ),
            ("ru", "Процент сотрудников таможни, прошедших официальную оценку результатов работы за период, от общей численности персонала."),
        ],
    },
    Entry {
        id: 0x0193_0000_0000_7000_8000_0000_0000_0034,
        code: "OD-STAKEHOLDER-SATISFACTION",
        dimension: PmmDimension::OrganisationalDevelopment,
        measure: Measure::Ordinal,
        direction: Direction::Increase,
        unit: Some("score (1-5)"),
        name: &[
            ("en", "Stakeholder satisfaction index"),
            ("es", "Índice de satisfacción de las partes interesadas"),
            ("fr", "Indice de satisfaction des parties prenantes"),
            ("ru", "Индекс удовлетворённости заинтересованных сторон"),
        ],
        description: &[
            (
                "en",
                "Average score, on a scale from 1 (very dissatisfied) to 5 (very satisfied), given to Customs services by traders and other stakeholders in a perception survey.",
            ),
            (
                "es",
                "Puntuación media, en una escala de 1 (muy insatisfecho) a 5 (muy satisfecho), otorgada a los servicios de la Aduana por los operadores de comercio y otras partes interesadas en una encuesta de percepción.",
            ),
            (
                "fr",
                "Note moyenne, sur une échelle de 1 (très insatisfait) à 5 (très satisfait), attribuée aux services de la douane par les opérateurs et les autres parties prenantes lors d'une enquête de perception.",
            ),
            (
                "ru",
                "Средняя оценка услуг таможни по шкале от 1 (совсем не удовлетворён) до 5 (полностью удовлетворён), выставленная участниками внешнеэкономической деятельности и другими заинтересованными сторонами в ходе опроса.",
            ),
        ],
    },
    Entry {
        id: 0x0193_0000_0000_7000_8000_0000_0000_0035,
        code: "OD-TRAINING-HOURS",
        dimension: PmmDimension::OrganisationalDevelopment,
        measure: Measure::Unit,
        direction: Direction::Increase,
        unit: Some("hours per person"),
        name: &[
            ("en", "Training hours per staff member"),
            ("es", "Horas de capacitación por funcionario"),
            ("fr", "Heures de formation par agent"),
            ("ru", "Часы обучения на одного сотрудника"),
        ],
        description: &[
            ("en", "Total hours of professional training received by Customs staff in the period, divided by the average number of staff in that period."),
            (
                "es",
                "Total de horas de capacitación profesional recibidas por el personal aduanero en el período, dividido por la plantilla promedio de ese período.",
            ),
            (
                "fr",
                "Nombre total d'heures de formation professionnelle suivies par les agents des douanes au cours de la période, divisé par l'effectif moyen de cette période.",
            ),
            (
                "ru",
                "Общее количество часов профессионального обучения сотрудников таможни за период, делённое на среднесписочную численность персонала за тот же период.",
            ),
        ],
    },
    Entry {
        id: 0x0193_0000_0000_7000_8000_0000_0000_0036,
        code: "OD-WOMEN-IN-MANAGEMENT",
        dimension: PmmDimension::OrganisationalDevelopment,
        measure: Measure::Percentage,
        direction: Direction::Increase,
        unit: PERCENT,
        name: &[
            ("en", "Women in management positions"),
            ("es", "Mujeres en cargos directivos"),
            ("fr", "Femmes occupant des postes d'encadrement"),
            ("ru", "Женщины на руководящих должностях"),
        ],
        description: &[
            ("en", "Percentage of management positions in the Customs administration held by women at the end of the period."),
            ("es", "Porcentaje de los cargos directivos de la administración aduanera ocupados por mujeres al cierre del período."),
            ("fr", "Pourcentage des postes d'encadrement de l'administration des douanes occupés par des femmes à la fin de la période."),
            ("ru", "Процент руководящих должностей в таможенной администрации, занимаемых женщинами, на конец периода."),
        ],
    },
];

/// Builds multilingual text from static data. The data is valid (the tests check it parses),
/// so the fallback to the English text alone only guards against a future editing mistake.
fn text(pairs: &'static [(&'static str, &'static str)], max_chars: usize) -> LocalizedText {
    LocalizedText::parse(pairs.iter().copied(), max_chars).unwrap_or_else(|_| {
        let english = pairs.iter().find(|(lang, _)| *lang == "en").or(pairs.first()).map_or("", |(_, t)| *t);
        LocalizedText::single(LanguageTag::english(), english)
    })
}

/// The standard Customs KPIs every installation starts with, grouped by the four WCO PMM dimensions.
pub fn standard_definitions() -> Vec<IndicatorDefinition> {
    ENTRIES
        .iter()
        .map(|e| IndicatorDefinition {
            id: IndicatorDefinitionId::from_uuid(Uuid::from_u128(e.id)),
            code: e.code.to_owned(),
            dimension: e.dimension,
            name: text(e.name, TITLE_MAX),
            description: text(e.description, NARRATIVE_MAX),
            measure: e.measure,
            direction: e.direction,
            unit: e.unit.map(str::to_owned),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    fn lang(s: &str) -> LanguageTag {
        LanguageTag::parse(s).unwrap()
    }

    /// `^[A-Z]+(-[A-Z0-9]+)+$`, without a regex.
    fn is_code(code: &str) -> bool {
        let mut parts = code.split('-');
        let first_ok = parts.next().is_some_and(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_uppercase()));
        let rest: Vec<&str> = parts.collect();
        first_ok && !rest.is_empty() && rest.iter().all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit()))
    }

    #[test]
    fn code_shape_check_works() {
        for good in ["TF-RELEASE-TIME", "A-1", "OD-X2"] {
            assert!(is_code(good), "{good}");
        }
        for bad in ["", "TF", "tf-release", "TF-", "-TF", "TF--X", "1F-X", "TF_RELEASE", "TF-RELEASE TIME"] {
            assert!(!is_code(bad), "{bad}");
        }
    }

    #[test]
    fn has_at_least_sixteen_entries() {
        assert!(standard_definitions().len() >= 16);
    }

    #[test]
    fn codes_are_unique_and_well_shaped() {
        let defs = standard_definitions();
        let codes: HashSet<&str> = defs.iter().map(|d| d.code.as_str()).collect();
        assert_eq!(codes.len(), defs.len());
        for d in &defs {
            assert!(is_code(&d.code), "{}", d.code);
        }
    }

    #[test]
    fn ids_are_unique() {
        let defs = standard_definitions();
        let ids: HashSet<IndicatorDefinitionId> = defs.iter().map(|d| d.id).collect();
        assert_eq!(ids.len(), defs.len());
    }

    #[test]
    fn ids_never_change() {
        let defs = standard_definitions();
        let id_of = |code: &str| defs.iter().find(|d| d.code == code).map(|d| d.id.to_string());
        assert_eq!(id_of("TF-RELEASE-TIME").as_deref(), Some("01930000-0000-7000-8000-000000000001"));
        assert_eq!(id_of("RC-REVENUE-AGAINST-TARGET").as_deref(), Some("01930000-0000-7000-8000-000000000011"));
        assert_eq!(id_of("EN-INSPECTION-HIT-RATE").as_deref(), Some("01930000-0000-7000-8000-000000000021"));
        assert_eq!(id_of("OD-INTEGRITY-TRAINING").as_deref(), Some("01930000-0000-7000-8000-000000000031"));
    }

    #[test]
    fn every_dimension_has_at_least_four_entries() {
        let defs = standard_definitions();
        for dim in PmmDimension::ALL {
            let n = defs.iter().filter(|d| d.dimension == *dim).count();
            assert!(n >= 4, "{} has {n}", dim.as_str());
        }
    }

    #[test]
    fn code_prefix_matches_dimension() {
        for d in standard_definitions() {
            let prefix = match d.dimension {
                PmmDimension::TradeFacilitation => "TF-",
                PmmDimension::RevenueCollection => "RC-",
                PmmDimension::Enforcement => "EN-",
                PmmDimension::OrganisationalDevelopment => "OD-",
            };
            assert!(d.code.starts_with(prefix), "{}", d.code);
        }
    }

    #[test]
    fn every_text_parses_without_falling_back() {
        for e in ENTRIES {
            assert!(LocalizedText::parse(e.name.iter().copied(), TITLE_MAX).is_ok(), "{} name", e.code);
            assert!(LocalizedText::parse(e.description.iter().copied(), NARRATIVE_MAX).is_ok(), "{} description", e.code);
        }
    }

    #[test]
    fn every_name_has_english_spanish_french_and_russian() {
        for d in standard_definitions() {
            for l in ["en", "es", "fr", "ru"] {
                assert!(d.name.get(&lang(l)).is_some_and(|t| !t.is_empty()), "{} name lacks {l}", d.code);
            }
        }
    }

    #[test]
    fn every_description_has_at_least_english_and_spanish() {
        for d in standard_definitions() {
            for l in ["en", "es"] {
                assert!(d.description.get(&lang(l)).is_some_and(|t| t.ends_with('.')), "{} description lacks {l}", d.code);
            }
        }
    }

    #[test]
    fn units_fit_their_measure() {
        for d in standard_definitions() {
            let unit = d.unit.as_deref();
            assert!(unit.is_some_and(|u| !u.is_empty() && u.chars().count() <= 30), "{} unit", d.code);
            match d.measure {
                Measure::Percentage => assert_eq!(unit, Some("%"), "{}", d.code),
                Measure::DurationHours => assert_eq!(unit, Some("hours"), "{}", d.code),
                _ => assert_ne!(unit, Some("%"), "{}", d.code),
            }
        }
    }

    #[test]
    fn release_time_is_hours_to_decrease() {
        let defs = standard_definitions();
        let d = defs.iter().find(|d| d.code == "TF-RELEASE-TIME").unwrap();
        assert_eq!(d.dimension, PmmDimension::TradeFacilitation);
        assert_eq!(d.measure, Measure::DurationHours);
        assert_eq!(d.direction, Direction::Decrease);
    }
}
