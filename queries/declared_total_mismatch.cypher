// BSC501 declared-total-mismatch (error): a total the document states that differs from
// what was loaded.
//
// Compares each total a plan or theme states (`declared_themes`, `declared_objectives`,
// `declared_kpis`, `declared_action_plans`) with what is stored: for a plan, its items of
// that kind; for a theme, its objectives (IN_THEME), the KPIs measuring them and the action
// plans supporting those KPIs (a theme holds no themes).
//
// Result: one row per finding, as `bscalign audit` reports it: plan, subject (the plan id
// or the theme's code), message (English), message_zh (Traditional Chinese), suggestion
// (none), source (file:line) and node (the plan or theme).
//
// Parameters (in Neo4j Browser, set them first):
//   :param plan => null   // a plan id such as '臺北市政府兵役局@111'; null: every plan
MATCH (p:Plan)
WHERE $plan IS NULL OR p.id = $plan
// generated: plan-totals
UNWIND [
  {key: 'themes', en: 'themes', zh: '策略主題', declared: p.declared_themes, loaded: COUNT { (:Theme {plan: p.id}) }},
  {key: 'objectives', en: 'objectives', zh: '策略目標', declared: p.declared_objectives, loaded: COUNT { (:Objective {plan: p.id}) }},
  {key: 'kpis', en: 'KPIs', zh: 'KPI', declared: p.declared_kpis, loaded: COUNT { (:KPI {plan: p.id}) }},
  {key: 'action_plans', en: 'action plans', zh: '行動方案', declared: p.declared_action_plans, loaded: COUNT { (:ActionPlan {plan: p.id}) }}
] AS total
// end generated
WITH p, total
WHERE total.declared IS NOT NULL AND total.declared <> total.loaded
RETURN p.id AS plan,
       p.id AS subject,
       // generated: plan-message
       'the ' + 'plan' + ' states ' + toString(total.declared) + ' ' + total.en + ' but '
         + toString(total.loaded) + ' were loaded' AS message,
       '計畫' + '載明 ' + toString(total.declared) + ' 項' + total.zh + '，實際載入 ' + toString(total.loaded)
         + ' 項' AS message_zh,
       // end generated
       null AS suggestion,
       p.source AS source,
       p AS node
UNION ALL
MATCH (theme:Theme)
WHERE ($plan IS NULL OR theme.plan = $plan)
  AND (theme.declared_themes IS NOT NULL OR theme.declared_objectives IS NOT NULL
       OR theme.declared_kpis IS NOT NULL OR theme.declared_action_plans IS NOT NULL)
// one theme at a time: the counting holds one theme's items, never every theme's
CALL (theme) {
  OPTIONAL MATCH (theme)<-[:IN_THEME]-(o:Objective)
  OPTIONAL MATCH (o)<-[:MEASURES]-(kpi:KPI)
  OPTIONAL MATCH (kpi)<-[:SUPPORTS]-(action:ActionPlan)
  RETURN count(DISTINCT o) AS objectives, count(DISTINCT kpi) AS kpis,
         count(DISTINCT action) AS action_plans
}
// generated: theme-totals
UNWIND [
  {key: 'themes', en: 'themes', zh: '策略主題', declared: theme.declared_themes, loaded: 0},
  {key: 'objectives', en: 'objectives', zh: '策略目標', declared: theme.declared_objectives, loaded: objectives},
  {key: 'kpis', en: 'KPIs', zh: 'KPI', declared: theme.declared_kpis, loaded: kpis},
  {key: 'action_plans', en: 'action plans', zh: '行動方案', declared: theme.declared_action_plans, loaded: action_plans}
] AS total
// end generated
WITH theme, total
WHERE total.declared IS NOT NULL AND total.declared <> total.loaded
RETURN theme.plan AS plan,
       theme.code AS subject,
       // generated: theme-message
       'the ' + 'theme ' + theme.code + ' states ' + toString(total.declared) + ' ' + total.en
         + ' but ' + toString(total.loaded) + ' were loaded' AS message,
       '策略主題 ' + theme.code + '載明 ' + toString(total.declared) + ' 項' + total.zh + '，實際載入 '
         + toString(total.loaded) + ' 項' AS message_zh,
       // end generated
       null AS suggestion,
       theme.source AS source,
       theme AS node
