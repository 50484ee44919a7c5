export {
  type CompiledExpression,
  compileExpression,
  DEFAULT_EXPRESSION_LIMITS,
  type ExpressionLimits,
  evaluateExpression,
  expressionAst,
  MAX_EXPRESSION_LENGTH,
  parseProblem,
  referencedNodeIds,
} from "./expression";
export { jsonSizeAtMost, toPlainJson } from "./size";
export {
  hasTemplate,
  isTemplateProblem,
  type ParsedTemplate,
  parseTemplate,
  renderDeep,
  renderTemplate,
  templateNodeRefs,
  templateProblems,
  visitStrings,
} from "./template";
