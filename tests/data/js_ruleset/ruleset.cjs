// CommonJS JavaScript ruleset
module.exports = {
  rules: {
    'no-empty-description': {
      given: '$..description',
      then: { function: (value) => (value.trim() === '' ? [{ message: 'empty description' }] : undefined) },
    },
  },
};
