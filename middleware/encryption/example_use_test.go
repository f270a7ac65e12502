package encryption_test

import (
	"fmt"

	"github.com/sourceflow-go/sourceflow/middleware"
	"github.com/sourceflow-go/sourceflow/middleware/encryption"
	"github.com/sourceflow-go/sourceflow/middleware/encryption/encryptiontest"
)

// ExampleUse places the Encrypter and the Decrypter in a service's pipeline
// with one call; the stack's HandlerMiddlewares and PublisherDecorators then
// go in cqrs.ServiceConfig.
func ExampleUse() {
	kms := encryptiontest.New()
	kms.SetAlias("alias/orders", kms.CreateKey())
	enc, err := encryption.NewEncrypter(kms, encryption.EncrypterConfig{KeyID: "alias/orders", AppName: "shop"})
	if err != nil {
		panic(err)
	}
	dec, err := encryption.NewDecrypter(kms, encryption.DecrypterConfig{AppName: "shop"})
	if err != nil {
		panic(err)
	}

	stack := middleware.NewStack()
	if err := encryption.Use(stack, enc, dec); err != nil {
		panic(err)
	}
	fmt.Println(stack)
	// Output:
	// consume: recover → tracing → metrics → idempotency → decrypt(encryption) → retry → handler; produce: correlation → tracing → encrypt(encryption) → metrics → transport
}
