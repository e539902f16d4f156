// A JavaScript ruleset (ES module syntax in a .js file, as Spectral documents it): functions are
// function objects; extends takes ruleset objects.
import base from './base.js';

const noTrailingSlash = (targetVal) => (targetVal.endsWith('/') && targetVal !== '/' ? [{ message: 'trailing slash' }] : []);

function enumCasing(targetVal, options, context) {
  return targetVal
    .map((v, i) => [v, i])
    .filter(([v]) => typeof v === 'string' && v !== v.toLowerCase())
    .map(([v, i]) => ({ message: `${v} is not lower case`, path: [...context.path, i] }));
}

export default {
  extends: [base],
  rules: {
    'base-title': 'error',
    'path-no-trailing-slash': {
      description: 'paths must not end with a slash',
      message: '{{error}} in {{property}}',
      severity: 'warn',
      given: '$.paths',
      then: { field: '@key', function: noTrailingSlash },
    },
    'enum-lower-case': {
      given: '$..enum',
      severity: 'info',
      then: { function: enumCasing },
    },
  },
};
