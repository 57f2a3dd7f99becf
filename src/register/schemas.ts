/**
 * The register's input shapes (../shared/CONTRACT.md), validated with zod. They are declared once in
 * src/api (the HTTP API's schemas, which the servers, the OpenAPI document and the web console all
 * import); this module keeps the names the register's code has always imported them by.
 */
export { calendarDate, countryCode, identifier, instant, officeCode, text } from '../api/fields.js';
export { type FieldError, firstError } from '../shared/fieldError.js';
export { defermentSchema, documentSchema, type PersonInput, personSchema } from '../api/persons.js';
export { embeddedRestrictionSchema, type IssueInput, issueSchema, liftSchema, restrictionFields, serviceSchema } from '../api/restrictions.js';
