// The same idea as an ES module
export default {
  rules: {
    'no-empty-description': {
      given: '$..description',
      then: { function: (value) => (value.trim() === '' ? [{ message: 'empty description' }] : undefined) },
    },
  },
};
