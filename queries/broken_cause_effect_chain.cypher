// BSC301 broken-cause-effect-chain (warning): a theme missing a perspective, an objective
// on no chain, a cycle.
//
// Inside each theme of each plan (objectives grouped by their `theme` letter), over the
// CAUSES edges between the theme's own objectives (inferred ones included):
// 1. a theme with no objective of one of the four perspectives (subject: the theme);
// 2. every cycle, reported once, at the objective with the smallest id (its message lists
//    the cycle's objectives in code order);
// 3. in themes that have both customer (C) and foundation (L, F) objectives, an objective
//    that no foundation objective leads to, or that leads to no customer objective.
//
// Result: one row per finding, as `bscalign audit` reports it: plan, subject (the code of
// the theme or objective), message (English), message_zh (Traditional Chinese), suggestion
// (none), source (file:line) and node.
//
// Parameters (in Neo4j Browser, set them first):
//   :param plan => null   // a plan id such as '臺北市政府消防局@108'; null: every plan
MATCH (plan_node:Plan)
WHERE $plan IS NULL OR plan_node.id = $plan
// one plan at a time (here and in the third part): a grouping holds one plan's objectives,
// never the whole graph's
CALL (plan_node) {
  MATCH (o:Objective {plan: plan_node.id})
  WHERE o.theme <> ''
  RETURN o.theme AS letter, collect(DISTINCT o.perspective) AS present
}
WITH plan_node.id AS plan, letter, present
// generated: missing
WITH plan, letter, [p IN ['C', 'P', 'L', 'F'] WHERE NOT p IN present] AS missing
// end generated
WHERE size(missing) > 0
// by id (<plan>:Theme:<code>): the unique index answers at once, plan and code scan
MATCH (theme:Theme {id: plan + ':Theme:' + letter})
WITH plan, theme, missing,
     // generated: names
     {C: 'customer', P: 'internal process', L: 'learning and growth', F: 'financial'} AS en,
     {C: '顧客', P: '內部流程', L: '學習成長', F: '財務'} AS zh
     // end generated
RETURN plan,
       theme.code AS subject,
       // generated: missing-message
       'theme ' + theme.code + ' ' + theme.name + ' has no '
         + substring(reduce(text = '', x IN missing | text + ', ' + en[x]), 2)
         + ' objective' AS message,
       '策略主題 ' + theme.code + ' ' + theme.name + ' 缺少'
         + substring(reduce(text = '', x IN missing | text + '、' + zh[x]), 1)
         + '構面的策略目標' AS message_zh,
       // end generated
       null AS suggestion,
       theme.source AS source,
       theme AS node
UNION ALL
MATCH cycle = (first:Objective)-[:CAUSES*]->(first)
WHERE ($plan IS NULL OR first.plan = $plan)
  AND first.theme <> ''
  AND all(n IN nodes(cycle) WHERE n.plan = first.plan AND n.theme = first.theme)
  // once per cycle: start at its smallest id, pass no objective twice
  AND all(n IN nodes(cycle)[1..-1] WHERE n.id > first.id)
  AND all(i IN range(1, length(cycle) - 1) WHERE NOT nodes(cycle)[i] IN nodes(cycle)[i + 1..-1])
CALL (cycle) {
  UNWIND nodes(cycle)[0..-1] AS member
  WITH member
  ORDER BY member.id
  // generated: arrows
  RETURN substring(reduce(text = '', x IN collect(member) | text + ' → ' + x.code), 3) AS codes
  // end generated
}
RETURN first.plan AS plan,
       first.code AS subject,
       // generated: cycle-message
       'cause-effect cycle in theme ' + first.theme + ': ' + codes AS message,
       '策略主題 ' + first.theme + ' 的因果關係形成循環：' + codes AS message_zh,
       // end generated
       null AS suggestion,
       first.source AS source,
       first AS node
UNION ALL
MATCH (plan_node:Plan)
WHERE $plan IS NULL OR plan_node.id = $plan
CALL (plan_node) {
  MATCH (o:Objective {plan: plan_node.id})
  WHERE o.theme <> ''
  WITH o.theme AS letter, collect(o) AS members
  WHERE any(m IN members WHERE m.perspective = 'C')
    AND any(m IN members WHERE m.perspective IN ['L', 'F'])
  UNWIND members AS o
  RETURN o
}
WITH o,
     EXISTS {
       MATCH chain = (o)<-[:CAUSES*0..]-(foundation:Objective)
       WHERE foundation.perspective IN ['L', 'F']
         AND all(n IN nodes(chain) WHERE n.plan = o.plan AND n.theme = o.theme)
     } AS from_foundation,
     EXISTS {
       MATCH chain = (o)-[:CAUSES*0..]->(customer:Objective)
       WHERE customer.perspective = 'C'
         AND all(n IN nodes(chain) WHERE n.plan = o.plan AND n.theme = o.theme)
     } AS to_customer
WHERE NOT (from_foundation AND to_customer)
WITH o,
     // generated: gaps
     CASE WHEN from_foundation THEN [] ELSE [['no foundation objective leads to it', '沒有基礎構面目標導向它']] END
     + CASE WHEN to_customer THEN [] ELSE [['it leads to no customer objective', '它未導向任何顧客構面目標']] END AS gaps
     // end generated
RETURN o.plan AS plan,
       o.code AS subject,
       // generated: off-chain-message
       'objective ' + o.code + ' ' + o.name + ' is on no cause-effect chain of theme ' + o.theme
         + ': ' + substring(reduce(text = '', x IN gaps | text + ' and ' + x[0]), 5) AS message,
       '策略目標 ' + o.code + ' ' + o.name + ' 不在策略主題 ' + o.theme + ' 的任何因果鏈上：'
         + substring(reduce(text = '', x IN gaps | text + '，且' + x[1]), 2) AS message_zh,
       // end generated
       null AS suggestion,
       o.source AS source,
       o AS node
