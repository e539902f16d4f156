const METHODS = ['get', 'put', 'post', 'delete', 'patch'];
export default async (paths, { max }) => {
  const count = Object.values(paths).flatMap((item) => Object.keys(item).filter((k) => METHODS.includes(k))).length;
  return count > max ? [{ message: `${count} operations (max ${max})` }] : [];
};
