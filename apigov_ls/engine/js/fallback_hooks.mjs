// Module resolve hook: a bare specifier that cannot be found from the importing file is looked up
// from the fallback folder (where apigov-ls installs @stoplight/spectral-functions and -formats).
let parent = null;

export async function initialize(data) {
  parent = data && data.parent;
}

export async function resolve(specifier, context, next) {
  try {
    return await next(specifier, context);
  } catch (err) {
    const bare = !specifier.startsWith('.') && !specifier.startsWith('/') && !specifier.includes(':');
    if (!parent || !bare || err.code !== 'ERR_MODULE_NOT_FOUND') throw err;
    return next(specifier, { ...context, parentURL: parent });
  }
}
