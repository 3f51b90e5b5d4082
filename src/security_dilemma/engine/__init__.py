"""The simulation engine: state arrays, one pure step, a chunked run loop, measures, results.

>>> from security_dilemma.engine import simulate
>>> result = simulate("bmd-europe", lens="pyramid", replicates=10, seed=3)
>>> frame = result.tidy()
>>> sorted(set(frame.metric))[:3]
['abandonment', 'armed', 'arming']
"""

from .draws import Draws, ReplicateStreams, split_draws, step_uniforms, uniforms_per_step
from .events import StepEvents, apply_events, signal_update
from .lensruns import lens_list, simulate_lenses
from .measures import METRICS, SYSTEM, Layout, Metric, culture, jervis_world
from .params import DEFAULT_LENS, Params, compile_params, lens_assignment
from .predict import THRESHOLD, predict
from .result import Result
from .run import DEFAULT_MAX_MEMORY, parse_bytes, restraint_copies, run_world, simulate
from .setting import Dyads, Setting, make_setting
from .state import State
from .step import Override, Period, StepInput, advance, judged, step
from .world import World, compile_world, relens, step_dates

__all__ = [
    "DEFAULT_LENS",
    "DEFAULT_MAX_MEMORY",
    "METRICS",
    "SYSTEM",
    "THRESHOLD",
    "Draws",
    "Dyads",
    "Layout",
    "Metric",
    "Override",
    "Params",
    "Period",
    "ReplicateStreams",
    "Result",
    "Setting",
    "State",
    "StepEvents",
    "StepInput",
    "World",
    "advance",
    "apply_events",
    "compile_params",
    "compile_world",
    "culture",
    "jervis_world",
    "judged",
    "lens_assignment",
    "lens_list",
    "make_setting",
    "parse_bytes",
    "predict",
    "relens",
    "restraint_copies",
    "run_world",
    "signal_update",
    "simulate",
    "simulate_lenses",
    "split_draws",
    "step",
    "step_dates",
    "step_uniforms",
    "uniforms_per_step",
]
