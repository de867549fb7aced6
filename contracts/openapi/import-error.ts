/**
 * Why an OpenAPI document cannot become a twin, said in one line that names the JSON pointer of the construct
 * (`#/paths/~1pets/get/responses/200/content/application~1json/schema/$ref`) and what to do about it. Thrown at
 * import, before anything is served: a document apitwin cannot model is refused at start, never mid-request.
 * @example throw new OpenApiImportError('#/swagger', 'Swagger 2.0 is not supported; convert it to OpenAPI 3 first')
 */
export class OpenApiImportError extends Error {
  readonly pointer: string
  constructor(pointer: string, problem: string) {
    super(`${pointer}: ${problem}`)
    this.name = 'OpenApiImportError'
    this.pointer = pointer
  }
}
