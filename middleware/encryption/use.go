package encryption

import (
	"errors"

	"github.com/sourceflow-go/sourceflow/internal/fieldcheck"
	"github.com/sourceflow-go/sourceflow/middleware"
)

// StepName names encryption's step in a middleware.Stack.
const StepName = "encryption"

// Use places enc and dec in stack in one step named StepName: enc's
// publisher decorator in the produce phase middleware.ProduceEncrypt and
// dec's middleware in the consume phase middleware.ConsumeDecrypt (inside
// idempotency, outside retry). Both are required: a service that sends
// encrypted messages and handles unencrypted ones, or the reverse, would
// fail every handling or send its payloads in clear text. A nil one is an
// error, and the stack is left unchanged, as it is when the step's name
// is taken.
func Use(stack *middleware.Stack, enc *Encrypter, dec *Decrypter) error {
	if err := errors.Join(
		fieldcheck.Required("encryption: Use's stack", stack != nil),
		fieldcheck.Required("encryption: Use's Encrypter", enc != nil),
		fieldcheck.Required("encryption: Use's Decrypter", dec != nil),
	); err != nil {
		return err
	}
	return stack.Add(middleware.Step{
		Name:    StepName,
		Consume: middleware.ConsumeDecrypt, Middleware: dec.Middleware,
		Produce: middleware.ProduceEncrypt, Decorator: enc.DecoratePublisher,
	})
}
