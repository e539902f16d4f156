// ESM syntax in a .js file of a package without "type": "module" (Spectral's CLI accepts it)
export default function opSummary(operation, _options, context) {
  if (operation.summary) return;
  // the resolved document: the response below comes through a $ref
  const [, path, method] = context.path;
  const response = context.documentInventory.resolved.paths[path][method].responses['200'];
  return [{ message: `no summary (200: ${response.description})`, path: [...context.path, 'summary'] }];
}
