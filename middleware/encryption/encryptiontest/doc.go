// Package encryptiontest provides an in-process fake of AWS KMS for tests of
// code that uses package encryption.
//
// The fake implements encryption.KMSAPI with real cryptography: each key has
// a random master secret, a wrapped data key is the AES-256-GCM encryption of
// the data key under that secret with the canonical encryption context as
// additional data, so a wrong context or a tampered blob fails as it does on
// KMS (InvalidCiphertextException). Aliases can be moved, keys disabled or
// denied to the caller, and throttling injected; every call is counted.
package encryptiontest
