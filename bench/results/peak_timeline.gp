
set terminal pngcairo size 1000,450 noenhanced
set output '/work/wt-bench/bench/plots/peak_timeline.png'
set title 'Audit queue depth: 100 ms micro-bursts, one per second (host, bpf backend)'
set xlabel 'time (s)'
set ylabel 'records in audit queue'
set key below horizontal
set yrange [0:*]
set offsets 0, 0, graph 0.1, 0
set grid
plot 'bench/results/peak_timeline.dat' index 0 using 1:2 with steps lc rgb '#999999' title 'true depth (exact max per 10 ms, bpf)', \
     'bench/results/peak_timeline.dat' index 2 using 1:2 with lines lw 3 lc rgb '#1f77b4' title 'auditpeak: exact peak per 1 s window', \
     'bench/results/peak_timeline.dat' index 1 using 1:2 with points pt 7 ps 1.5 lc rgb '#d62728' title 'what a 1 s backlog poller saw'
