package pin

import "time"

// BallotSC081 cites the CA/Browser Forum ballot that shortens the lifetime
// of publicly trusted TLS certificates, and so how often a pin on a leaf
// breaks.
const BallotSC081 = "CA/Browser Forum Ballot SC081v3, 'Introduce Schedule of Reducing Validity and Data Reuse Periods' (adopted 2025-04-11) — https://cabforum.org/2025/04/11/ballot-sc081v3-introduce-schedule-of-reducing-validity-and-data-reuse-periods/"

// Ceiling is the longest validity a publicly trusted TLS certificate
// issued from Since on may have.
type Ceiling struct {
	Since time.Time
	Days  int
}

// sc081 is the ballot's schedule: 200, 100 and 47 days from 2026-03-15,
// 2027-03-15 and 2029-03-15. Before it, 398 days applied from 2020-09-01
// (the root programs' rule the Baseline Requirements took over).
var sc081 = []Ceiling{
	{time.Date(2020, 9, 1, 0, 0, 0, 0, time.UTC), 398},
	{time.Date(2026, 3, 15, 0, 0, 0, 0, time.UTC), 200},
	{time.Date(2027, 3, 15, 0, 0, 0, 0, time.UTC), 100},
	{time.Date(2029, 3, 15, 0, 0, 0, 0, time.UTC), 47},
}

// MaxLifetime returns the ceiling that applies to a certificate issued at
// t, and the next step after t (zero Ceiling when none). Before
// 2020-09-01 there was no 398-day ceiling and ok is false.
func MaxLifetime(t time.Time) (now Ceiling, next Ceiling, ok bool) {
	for i := len(sc081) - 1; i >= 0; i-- {
		if !t.Before(sc081[i].Since) {
			if i+1 < len(sc081) {
				next = sc081[i+1]
			}
			return sc081[i], next, true
		}
	}
	return Ceiling{}, sc081[0], false
}
