// The derived flags of a ProductAttributeMetadata item, as Adobe's
// BooleanNumericMetadataFormatter configures them in CatalogDataExporter/etc/di.xml.
import type { AttributeMeta } from '../common/eavAttributes.js';

const BOOLEAN_CODES = [
  'is_redeemable',
  'use_config_is_redeemable',
  'use_config_lifetime',
  'use_config_email_template',
  'use_config_allow_message',
  'allow_message',
  'has_options',
];
const NUMERIC_INPUTS = ['price', 'weight', 'text'];
const NUMERIC_VALIDATIONS = ['validate-number', 'validate-digits'];

export function isBoolean(a: AttributeMeta): boolean {
  return (a.frontendInput === 'boolean' && a.backendType === 'int') || BOOLEAN_CODES.includes(a.code);
}

/** A boolean attribute is never numeric, even when stored as int. */
export function isNumeric(a: AttributeMeta): boolean {
  if (isBoolean(a)) return false;
  return (
    (NUMERIC_INPUTS.includes(a.frontendInput ?? '') && ['decimal', 'int'].includes(a.backendType)) ||
    NUMERIC_VALIDATIONS.includes(a.frontendClass ?? '') ||
    a.code === 'required_options'
  );
}

export function isMulti(a: AttributeMeta): boolean {
  return a.frontendInput === 'multiselect' || a.frontendInput === 'multiline';
}
