package cqrs

import (
	"errors"
	"fmt"

	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/sourceflow-go/sourceflow"
)

// undecrypted adds to err, the failure of msg's handling, what to do when
// its payload did not decode, or an upcaster could not read it, because it
// is still encrypted: msg carries the encryption header
// (sourceflow.MetaEncryption), which the encryption Decrypter removes once
// it has decrypted the payload, so none ran. Any other error is returned as
// it is.
func undecrypted(msg *message.Message, err error) error {
	if err == nil || !errors.Is(err, ErrDecode) && !errors.Is(err, ErrUpcast) || msg.Metadata.Get(sourceflow.MetaEncryption) == "" {
		return err
	}
	return fmt.Errorf("%w (the payload is encrypted, metadata %s is set, and was not decrypted: "+
		"put the encryption Decrypter's Middleware in this consumer's ServiceConfig.HandlerMiddleware)",
		err, sourceflow.MetaEncryption)
}
