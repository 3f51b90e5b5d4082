"""Experiments at scale: sweeps, sensitivity analysis, executors and the DuckDB results store.

See ``docs/experiments.md``. The pieces, smallest first:

* :mod:`.params` - swept parameters and sensitivity bounds as data, grids of points, lenses;
* :mod:`.plan` - a :class:`Plan` (model x points x replicates, in chunks) and its run id;
* :mod:`.chunks` - computing one chunk and reducing it to what is stored;
* :mod:`.store` - the DuckDB :class:`Store` (schema, migrations, atomic chunk commits);
* :mod:`.executors` - serial, local process pool, Dask;
* :mod:`.sweep` - :func:`run_plan`, the coordinator that resumes what is missing;
* :mod:`.sensitivity` - SALib Sobol' and Morris on top of the same machinery.
"""

from typing import TYPE_CHECKING

from .._lazy import attach

if TYPE_CHECKING:
    from .chunks import ChunkResult, ChunkTask, ChunkValues, compute_chunk
    from .executors import (
        DaskExecutor,
        Executor,
        ExecutorLost,
        LocalExecutor,
        SerialExecutor,
        available_cores,
        make_executor,
    )
    from .model import EngineModel, engine_metrics
    from .params import Bound, ParameterSpec, Point, grid, parameter_bounds, parameter_specs
    from .plan import ChunkSpec, Plan
    from .sensitivity import Output, analyze, plot_indices, sensitivity_plan
    from .store import SCHEMA_VERSION, Store, StoreBusy
    from .sweep import ChunkEvent, SweepFailed, SweepReport, run_plan, sweep_plan

__all__ = [
    "SCHEMA_VERSION",
    "Bound",
    "ChunkEvent",
    "ChunkResult",
    "ChunkSpec",
    "ChunkTask",
    "ChunkValues",
    "DaskExecutor",
    "EngineModel",
    "Executor",
    "ExecutorLost",
    "LocalExecutor",
    "Output",
    "ParameterSpec",
    "Plan",
    "Point",
    "SerialExecutor",
    "Store",
    "StoreBusy",
    "SweepFailed",
    "SweepReport",
    "analyze",
    "available_cores",
    "compute_chunk",
    "engine_metrics",
    "grid",
    "make_executor",
    "parameter_bounds",
    "parameter_specs",
    "plot_indices",
    "run_plan",
    "sensitivity_plan",
    "sweep_plan",
]

# The names above are imported when first used (see ``security_dilemma._lazy``).
if not TYPE_CHECKING:
    __getattr__, __dir__ = attach(__name__, __all__)
