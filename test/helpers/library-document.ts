/**
 * A small OpenAPI 3.1 document for the derived suite's tests: a top-level collection (`/authors`), one nested under
 * it (`/authors/{authorId}/books`, 404 declared for an unknown author) whose body has nested objects, arrays with
 * item counts and a format, and a collection with no DELETE (`/notes`), whose items the suite cannot remove.
 */
export function libraryDocument(): Record<string, unknown> {
  const error = { description: 'an error', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } }
  const item = (schema: string, status = '200') => ({
    [status]: { description: 'the item', content: { 'application/json': { schema: { $ref: `#/components/schemas/${schema}` } } } },
  })
  const list = (schema: string) => ({
    '200': {
      description: 'the items',
      content: { 'application/json': { schema: { type: 'array', items: { $ref: `#/components/schemas/${schema}` } } } },
    },
  })
  const body = (schema: string) => ({
    required: true,
    content: { 'application/json': { schema: { $ref: `#/components/schemas/${schema}` } } },
  })
  const id = (name: string) => ({ name, in: 'path', required: true, schema: { type: 'integer', minimum: 1 } })
  return {
    openapi: '3.1.0',
    info: { title: 'Library', version: '1.0.0' },
    security: [{ bearer: [] }],
    paths: {
      '/authors': {
        get: {
          parameters: [
            { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 50, default: 20 } },
            { name: 'X-Request-Id', in: 'header', schema: { type: 'string', maxLength: 8, pattern: '^[a-z0-9-]+$' } },
          ],
          responses: { ...list('Author'), '400': error, '401': error },
        },
        post: { requestBody: body('Author'), responses: { ...item('Author', '201'), '400': error, '401': error } },
      },
      '/authors/{authorId}': {
        parameters: [id('authorId')],
        get: { responses: { ...item('Author'), '401': error, '404': error } },
        put: { requestBody: body('Author'), responses: { ...item('Author'), '400': error, '401': error, '404': error } },
        delete: { responses: { '204': { description: 'deleted' }, '401': error, '404': error } },
      },
      '/authors/{authorId}/books': {
        parameters: [id('authorId')],
        get: { responses: { ...list('Book'), '401': error, '404': error } },
        post: { requestBody: body('Book'), responses: { ...item('Book', '201'), '400': error, '401': error, '404': error } },
      },
      '/authors/{authorId}/books/{bookId}': {
        parameters: [id('authorId'), id('bookId')],
        get: { responses: { ...item('Book'), '401': error, '404': error } },
        put: { requestBody: body('Book'), responses: { ...item('Book'), '400': error, '401': error, '404': error } },
        delete: { responses: { '204': { description: 'deleted' }, '401': error, '404': error } },
      },
      '/notes': {
        post: { requestBody: body('Note'), responses: { ...item('Note', '201'), '400': error, '401': error } },
      },
      '/notes/{noteId}': {
        parameters: [id('noteId')],
        get: { responses: { ...item('Note'), '401': error, '404': error } },
      },
    },
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      schemas: {
        Error: { type: 'object', properties: { message: { type: 'string' } } },
        Author: {
          type: 'object',
          required: ['id', 'name'],
          properties: {
            id: { type: 'integer', readOnly: true },
            name: { type: 'string', minLength: 1, maxLength: 40 },
          },
        },
        Book: {
          type: 'object',
          required: ['id', 'title', 'edition'],
          additionalProperties: false,
          properties: {
            id: { type: 'integer', readOnly: true },
            title: { type: 'string', minLength: 1, maxLength: 80, examples: ['Dune'] },
            edition: {
              type: 'object',
              required: ['year', 'format'],
              additionalProperties: false,
              properties: {
                year: { type: 'integer', minimum: 1450, maximum: 2100, examples: [1965] },
                format: { type: 'string', enum: ['hardcover', 'paperback', 'ebook'], examples: ['hardcover'] },
                isbn: { type: 'string', pattern: '^[0-9]{13}$', examples: ['9780441013593'] },
              },
            },
            tags: {
              type: 'array',
              minItems: 1,
              maxItems: 3,
              items: {
                type: 'object',
                required: ['label'],
                properties: { label: { type: 'string', maxLength: 12, examples: ['classic'] } },
              },
              examples: [[{ label: 'classic' }]],
            },
            contact: { type: 'string', format: 'email', examples: ['frank@example.com'] },
          },
        },
        Note: {
          type: 'object',
          required: ['id', 'text'],
          properties: { id: { type: 'integer', readOnly: true }, text: { type: 'string', examples: ['remember'] } },
        },
      },
    },
  }
}
