-- wrk script for bench/read.sh: GETs one URL (warm) with the bearer key; prints one RESULT line.
wrk.headers["Authorization"] = "Bearer " .. os.getenv("LI_TOKEN")

dofile("bench/wrk-result.lua")
