// A small JSON Schema check for the tests' structured-output replies: type
// (and type lists), properties, required, additionalProperties: false,
// items, minItems / maxItems, enum, const, minimum / maximum, minLength /
// maxLength, anyOf, $ref into $defs. It returns the problems found, [] when
// the value fits.
export function schemaProblems(value, schema, root = schema, at = '$') {
  if (schema.$ref) {
    const target = schema.$ref.replace(/^#\//, '').split('/').reduce((o, k) => o?.[k], root);
    return target ? schemaProblems(value, target, root, at) : [`${at}: unresolved ${schema.$ref}`];
  }
  if (schema.anyOf) {
    return schema.anyOf.some((s) => schemaProblems(value, s, root, at).length === 0) ? [] : [`${at}: fits no anyOf branch`];
  }
  const problems = [];
  const types = schema.type === undefined ? [] : [schema.type].flat();
  const kind = value === null ? 'null' : Array.isArray(value) ? 'array'
    : Number.isInteger(value) ? 'integer' : typeof value;
  if (types.length > 0 && !types.some((t) => t === kind || (t === 'number' && kind === 'integer'))) {
    return [`${at}: ${JSON.stringify(value)} is not ${types.join(' or ')}`];
  }
  if ('const' in schema && JSON.stringify(value) !== JSON.stringify(schema.const)) problems.push(`${at}: not the const`);
  if (schema.enum && !schema.enum.some((e) => JSON.stringify(e) === JSON.stringify(value))) problems.push(`${at}: not in enum`);
  if (typeof value === 'number') {
    if (schema.minimum !== undefined && value < schema.minimum) problems.push(`${at}: below minimum`);
    if (schema.maximum !== undefined && value > schema.maximum) problems.push(`${at}: above maximum`);
  }
  if (typeof value === 'string') {
    if (schema.minLength !== undefined && value.length < schema.minLength) problems.push(`${at}: too short`);
    if (schema.maxLength !== undefined && value.length > schema.maxLength) problems.push(`${at}: too long`);
  }
  if (kind === 'array') {
    if (schema.minItems !== undefined && value.length < schema.minItems) problems.push(`${at}: too few items`);
    if (schema.maxItems !== undefined && value.length > schema.maxItems) problems.push(`${at}: too many items`);
    if (schema.items) value.forEach((v, i) => problems.push(...schemaProblems(v, schema.items, root, `${at}[${i}]`)));
  }
  if (kind === 'object') {
    for (const name of schema.required ?? []) if (!(name in value)) problems.push(`${at}.${name}: missing`);
    for (const [name, v] of Object.entries(value)) {
      const sub = schema.properties?.[name];
      if (sub) problems.push(...schemaProblems(v, sub, root, `${at}.${name}`));
      else if (schema.additionalProperties === false) problems.push(`${at}.${name}: not allowed`);
    }
  }
  return problems;
}
