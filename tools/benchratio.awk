# Medians of a Go benchmark metric per sub-benchmark, and the ratio of two.
# Usage: awk -v metric=pages/s -v num=NAME -v den=NAME -f tools/benchratio.awk bench.txt
$0 ~ metric {
	n = $1; sub(/-[0-9]+$/, "", n); sub(/#[0-9]+$/, "", n)
	for (i = 2; i < NF; i++) if ($(i+1) == metric) v[n] = v[n] " " $i
}
END {
	for (k in v) {
		c = split(substr(v[k], 2), a, " "); asort(a)
		m[k] = (c % 2) ? a[(c+1)/2] : (a[c/2] + a[c/2+1]) / 2
		printf "%s median " (m[k] < 100 ? "%.2f" : "%.0f") " %s over %d runs\n", k, m[k], metric, c
	}
	if (m[den]) printf "ratio %s / %s = %.2f\n", num, den, m[num] / m[den]
}
