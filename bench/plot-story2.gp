# bench/plot-story2.gp: story 2's plot, called by bench/report_story2.py:
#
#   gnuplot -e "datafile='D'; outfile='O.png'; ttl='...'" bench/plot-story2.gp
#
# D: "groups clean_idle clean_busy dying_idle dying_busy root_clean
# root_dying cand_clean cand_dying" (CPU ms; NaN where not measured).
# Solid lines: the node clean; dashed: with the dying memory cgroups.
# Log-log, so that linear growth is a line of slope 1.
set encoding utf8
set terminal pngcairo size 1100,600 font "DejaVu Sans,11" noenhanced
set output outfile
set title ttl
set xlabel "groups below the scope (at most 1,000 of them with a process)"
set ylabel "CPU ms per snapshot / per round of reads"
set logscale xy
set xrange [70:14000]
set xtics ("100" 100, "1,000" 1000, "10,000" 10000)
set grid lc rgb "#dddddd"
set key below horizontal
set datafile missing "NaN"
plot datafile using 1:2 with linespoints lw 2 pt 7 lc rgb "#1f77b4" title "snapshot, idle", \
     datafile using 1:4 with linespoints lw 2 pt 6 dt 2 lc rgb "#1f77b4" title "snapshot, idle, dying groups", \
     datafile using 1:3 with linespoints lw 2 pt 7 lc rgb "#d62728" title "snapshot, busy", \
     datafile using 1:5 with linespoints lw 2 pt 6 dt 2 lc rgb "#d62728" title "snapshot, busy, dying groups", \
     datafile using 1:8 with linespoints lw 1 pt 5 lc rgb "#2ca02c" title "every candidate's memory.stat", \
     datafile using 1:9 with linespoints lw 1 pt 4 dt 2 lc rgb "#2ca02c" title "… dying groups", \
     datafile using 1:6 with linespoints lw 1 pt 9 lc rgb "#555555" title "root memory.stat (cAdvisor)", \
     datafile using 1:7 with linespoints lw 1 pt 8 dt 2 lc rgb "#555555" title "… dying groups"
