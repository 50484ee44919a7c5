export {
  type CompiledExpression,
  compileExpression,
  DEFAULT_EXPRESSION_LIMITS,
  type ExpressionLimits,
  evaluateExpression,
  expressionAst,
  MAX_EXPRESSION_LENGTH,
  parseProblem,
  referencedContextPaths,
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
  templateContextPaths,
  templateNodeRefs,
  templateProblems,
  visitStrings,
} from "./template";
