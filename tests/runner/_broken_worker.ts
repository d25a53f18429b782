/** Test worker that cannot start (throws while loading). */
throw new Error("simulated start-up failure");
