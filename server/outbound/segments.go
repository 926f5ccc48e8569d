package outbound

import "unicode/utf16"

// gsm7 is the GSM 03.38 basic character set; gsm7Ext its extension table,
// whose characters take two septets.
const (
	gsm7    = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
	gsm7Ext = "^{}\\[~]|€\f"
)

var gsmSeptets = func() map[rune]int {
	m := map[rune]int{}
	for _, r := range gsm7 {
		m[r] = 1
	}
	for _, r := range gsm7Ext {
		m[r] = 2
	}
	return m
}()

// Segments is how many SMS segments a text takes, as carriers bill it: in
// GSM-7 160 septets fit one segment and 153 each of several; any character
// outside GSM-7 makes the whole text UCS-2, 70 UTF-16 units in one and 67
// each of several. It also reports whether the text is GSM-7.
func Segments(body string) (n int, gsm bool) {
	septets := 0
	gsm = true
	for _, r := range body {
		s, ok := gsmSeptets[r]
		if !ok {
			gsm = false
			break
		}
		septets += s
	}
	if gsm {
		return parts(septets, 160, 153), true
	}
	return parts(len(utf16.Encode([]rune(body))), 70, 67), false
}

func parts(units, single, multi int) int {
	switch {
	case units == 0:
		return 1
	case units <= single:
		return 1
	}
	return (units + multi - 1) / multi
}
