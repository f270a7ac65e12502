package idempotency

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
)

// MaxKeyLength is the longest consumer name or message id, in bytes, that
// the MemoryStore accepts, and the longest key part KeyOf builds.
// It is sqlstore's limit (sqlstore.MaxKeyLength), the strictest of the
// bundled stores, so a key the default store takes every bundled store
// takes too.
const MaxKeyLength = 191

// hashedKeyPrefix begins the message id part of a key that KeyOf hashed to
// fit MaxKeyLength. An unhashed part of a typed message begins with a digit.
const hashedKeyPrefix = "sha256:"

// untypedPrefix begins the message id part of the key of a message
// without a type, as the key part of a type of length 0.
const untypedPrefix = "0::"

// messageKey returns the message id part of the key of a message with id
// and type typ: the type and the id, length-prefixed so that no other pair
// reads alike ("18:orders.CreateOrder:m-1"), or "0::" and the id for a
// message without a type ("0::m-1"), so that no part it builds is a bare
// id, the key the previous release gave a message (see legacyKey). One
// longer than MaxKeyLength is replaced by "sha256:" and its hex SHA-256.
// It reports ErrInvalidKey when id is empty or id or typ is not UTF-8.
func messageKey(id, typ string) (string, error) {
	if err := checkKeyPart("message id", id); err != nil {
		return "", err
	}
	part := untypedPrefix + id // no typed part begins "0:"
	if typ != "" {
		if err := checkKeyPart("message type", typ); err != nil {
			return "", err
		}
		part = strconv.Itoa(len(typ)) + ":" + typ + ":" + id
	}
	if len(part) <= MaxKeyLength {
		return part, nil
	}
	return hashedKeyPart(part), nil
}

// hashedKeyPart returns "sha256:" and the hex SHA-256 of part: 71 bytes,
// within MaxKeyLength.
func hashedKeyPart(part string) string {
	sum := sha256.Sum256([]byte(part))
	return hashedKeyPrefix + hex.EncodeToString(sum[:])
}

// readsAsKeyPart reports whether id reads as a key part KeyOf builds: that
// of a message with or without a type (digits, then ':') or a hashed one.
func readsAsKeyPart(id string) bool {
	if strings.HasPrefix(id, hashedKeyPrefix) {
		return true
	}
	digits := len(id) - len(strings.TrimLeft(id, "0123456789"))
	return digits > 0 && digits < len(id) && id[digits] == ':'
}
