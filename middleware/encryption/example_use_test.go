package encryption_test

import (
	"fmt"

	"github.com/sourceflow-go/sourceflow/middleware"
	"github.com/sourceflow-go/sourceflow/middleware/encryption"
)

// ExampleUse places the Encrypter and the Decrypter in a service's pipeline
// with one call; the stack's HandlerMiddlewares and PublisherDecorators then
// go in cqrs.ServiceConfig.
func ExampleUse() {
	_, enc, dec := exampleEncryption()
	stack := middleware.NewStack()
	if err := encryption.Use(stack, enc, dec); err != nil {
		panic(err)
	}
	fmt.Println(stack)
	// Output:
	// consume: decrypt(encryption) → handler; produce: encrypt(encryption) → transport
}
