package workload

import (
	"context"
	"fmt"
)

// Signer signs demo tokens for the demo school's users by email (the
// server's app.App in demo mode is one).
type Signer interface {
	DemoToken(ctx context.Context, who string) (string, error)
}

// DemoUsers signs in up to parents of the demo school's parents (parent1…,
// the restricted guardian parent14 left out) and teachers of its teachers
// (teacher1…).
func DemoUsers(ctx context.Context, s Signer, parents, teachers int) (p, t []string, err error) {
	if parents < 0 || parents > 119 || teachers < 0 || teachers > 4 || parents+teachers == 0 {
		return nil, nil, fmt.Errorf("parents is 0 to 119 and teachers 0 to 4, not both 0")
	}
	for i := 1; len(p) < parents && i <= 120; i++ {
		if i == 14 {
			continue
		}
		tok, err := s.DemoToken(ctx, fmt.Sprintf("parent%d@sameside-demo.example", i))
		if err != nil {
			return nil, nil, err
		}
		p = append(p, tok)
	}
	for i := 1; i <= teachers; i++ {
		tok, err := s.DemoToken(ctx, fmt.Sprintf("teacher%d@sameside-demo.example", i))
		if err != nil {
			return nil, nil, err
		}
		t = append(t, tok)
	}
	return p, t, nil
}
