// BSC102 kpi-without-action-plan (warning): a KPI that no action plan supports.
//
// Finds every KPI into which no action plan has a SUPPORTS relationship.
//
// Result: one row per finding, as `bscalign audit` reports it: plan, subject (the KPI's
// code), message (English), message_zh (Traditional Chinese), suggestion (none), source
// (file:line) and node (the KPI).
//
// Parameters (in Neo4j Browser, set them first):
//   :param plan => null   // a plan id such as '臺北市政府消防局@108'; null: every plan
MATCH (kpi:KPI)
WHERE ($plan IS NULL OR kpi.plan = $plan)
  AND NOT EXISTS { (kpi)<-[:SUPPORTS]-(:ActionPlan) }
RETURN kpi.plan AS plan,
       kpi.code AS subject,
       // generated: message
       'no action plan supports KPI ' + kpi.code + ' ' + kpi.name AS message,
       'KPI ' + kpi.code + ' ' + kpi.name + ' 沒有任何行動方案支撐' AS message_zh,
       // end generated
       null AS suggestion,
       kpi.source AS source,
       kpi AS node
