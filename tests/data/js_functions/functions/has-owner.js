// CommonJS, as Postman's custom rules are written: module.exports = (targetVal, options, context) => ...
module.exports = (targetVal, options, context) => {
  if (targetVal && targetVal[options.field]) return [];
  const keys = Object.keys(context.document.data).join(',');
  return [{ message: `${context.rule.name}: no ${options.field} at ${context.path.join('.')} (document keys: ${keys})` }];
};
