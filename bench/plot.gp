# bench/plot.gp: the benchmark plots, called by bench/report.py:
#
#   gnuplot -e "datadir='D'; kind='host'; tools='kernel thrashguard ...';
#               labels='\"kernel alone\" thrashguard ...'; colors='#000000 ...';
#               outdir='O'; ttl='...'; xmax=45" bench/plot.gp
#
# Reads D/KIND-TOOL.full.dat ("s_since_pressure_start full_pct"),
# D/KIND-TOOL.lat.dat ("s late_ms") and D/KIND-TOOL.act.dat ("s 100", one
# line per action of the tool).  Writes, for kind=host, O/thrash-full.png
# and O/thrash-latency.png; for another kind, O/KIND-full.png and
# O/KIND-latency.png.
#   *-full.png     the scope's `full` stall share (last 500 ms) over time,
#                  one line per tool; dashed vertical lines mark each action
#   *-latency.png  the neighbour probe's lateness over time, one panel per
#                  tool (log scale), the tool's actions marked the same way

if (!exists("colors")) colors = "#555555 #1f77b4 #ff7f0e #9467bd #d62728 #8c564b"
base = (kind eq "host") ? "thrash" : kind
n = words(tools)
xmin = -3
if (!exists("xmax")) xmax = 45

f(t) = sprintf("%s/%s-%s.full.dat", datadir, kind, t)
l(t) = sprintf("%s/%s-%s.lat.dat", datadir, kind, t)
a(t) = sprintf("%s/%s-%s.act.dat", datadir, kind, t)

set encoding utf8
set terminal pngcairo size 1100,560 font "DejaVu Sans,11" noenhanced
set output sprintf("%s/%s-full.png", outdir, base)
set title sprintf("%s: the scope's full memory stall", ttl)
set xlabel "seconds since pressure start (full > 10 % over 500 ms)"
set ylabel "full stall, share of the last 500 ms (%)"
set xrange [xmin:xmax]
set yrange [0:100]
set grid lc rgb "#dddddd"
set key below horizontal
set arrow 1 from 0, graph 0 to 0, graph 1 nohead lc rgb "#999999" dt 3
set label 1 "pressure start" at 0.3, graph 0.97 tc rgb "#777777"
plot for [i=1:n] f(word(tools, i)) using 1:2 with lines lw 2 lc rgb word(colors, i) title word(labels, i), \
     for [i=1:n] a(word(tools, i)) using 1:2 with impulses lw 2 dt 2 lc rgb word(colors, i) notitle

unset arrow 1
unset label 1
panel_h = 170
set terminal pngcairo size 1100, (90 + n * panel_h) font "DejaVu Sans,10" noenhanced
set output sprintf("%s/%s-latency.png", outdir, base)
set multiplot layout n, 1 title sprintf("%s: how late the neighbour's 100 ms wake-ups ran (log scale)", ttl)
set logscale y
set yrange [0.05:20000]
set ytics ("0.1" 0.1, "1" 1, "10" 10, "100" 100, "1 s" 1000, "10 s" 10000)
set ylabel "late (ms)"
set xrange [xmin:xmax]
set key inside top right opaque
unset title
set tmargin 0.6
set bmargin 1.6
do for [i=1:n] {
	if (i == n) { set xlabel "seconds since pressure start" } else { unset xlabel }
	set arrow 2 from 0, graph 0 to 0, graph 1 nohead lc rgb "#999999" dt 3
	plot l(word(tools, i)) using 1:2 with linespoints pt 7 ps 0.35 lw 1 lc rgb word(colors, i) title word(labels, i), \
	     a(word(tools, i)) using 1:($2 * 200) with impulses lw 2 dt 2 lc rgb "#333333" notitle
}
unset multiplot
