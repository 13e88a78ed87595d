export { Keyring, KeyringError, parseKeyring } from './keyring';
export { SecretError, type SecretErrorReason } from './secret-box';
export { sealDestination, openDestination } from './seal';
export { OfferTable, type OfferTableOptions, type OfferChangeListener } from './offer-table';
export {
  OfferDestinationPublisher,
  OfferRecordRejectedError,
  type OfferDestinationPublisherOptions,
} from './publisher';
export { decodeOfferRecord, type DecodedOfferRecord } from './record-codec';
