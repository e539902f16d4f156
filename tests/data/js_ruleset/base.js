// Extended by .spectral.js as an object (JavaScript rulesets extend objects, not paths)
export default {
  rules: {
    'base-title': {
      given: '$.info',
      severity: 'warn',
      then: { field: 'title', function: (title) => (title ? undefined : [{ message: 'title is empty' }]) },
    },
  },
};
